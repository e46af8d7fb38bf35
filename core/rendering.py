"""The form renderer: Django's, but a ``<select>`` is written in Python (issue 9).

Django renders each ``<option>`` through two template includes. A filter with every park of
the country (250 options) then cost more than the rest of the page: about half of a list
page's time went into its park and city selects. The HTML is the same as Django's
templates give (``django/forms/widgets/select.html``), escaped the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def html_attrs(attrs: Mapping[str, Any]) -> SafeString:
    """Attributes as Django's ``attrs.html`` writes them: ``True`` bare, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def render_select(widget: Mapping[str, Any]) -> SafeString:
    """A select widget's context (``Select.get_context()["widget"]``) as HTML."""
    parts = [format_html('<select name="{}"{}>', widget["name"], html_attrs(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        parts.extend(
            format_html(
                '<option value="{}"{}>{}</option>',
                option["value"],
                html_attrs(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        if group_name:
            parts.append(mark_safe("</optgroup>"))
    parts.append(mark_safe("</select>"))
    return mark_safe("\n".join(parts))  # noqa: S308 - every part escaped by format_html


class FormRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        return super().render(template_name, context, request)
