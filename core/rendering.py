"""The form renderer: Django's, but a ``<select>`` is written in Python (issue 9).

Django renders each ``<option>`` through two template includes. A filter with every park of
the country (250 options) then cost more than the rest of the page: about half of a list
page's time went into its park and city selects. The HTML is the same as Django's
templates give (``django/forms/widgets/select.html``), escaped the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
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
    @property  # Django 5.2 reads it as an attribute or a property alike
    def bound_field_class(self) -> type[forms.BoundField]:  # type: ignore[override]
        return BoundField

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        return super().render(template_name, context, request)


# --- Every form's fields, one place (issue 12 §8): Tabler classes, real date pickers, select
# placeholders in words, errors tied to their inputs. -----------------------------------------

DASHES = "---------"  # Django's and django-filter's empty choice


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple and NullBooleanSelect included
        return "form-select"
    if isinstance(widget, forms.widgets.Input | forms.Textarea):
        return "form-control"
    return ""


def _noun(label: str) -> str:
    """A field's label as a noun in a sentence: ``Park status`` → ``park status``; an
    acronym keeps its capitals (``PSEB office``)."""
    text = str(label).strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def empty_choice_words(label: str, *, is_filter: bool) -> str:
    """What an empty select says: "Any status" on a filter, "Choose a park" on a form."""
    noun = _noun(label) or "value"
    if is_filter:
        return f"Any {noun}"
    lower = noun.lower()
    # "an action", "an upload", but "a unit", "a user" (a "you" sound)
    vowel = lower[:1] in ("a", "e", "i", "o") or (
        lower[:1] == "u" and not lower.startswith(("uni", "use", "usa", "usu", "uti"))
    )
    article = "an" if vowel else "a"
    return f"Choose {article} {noun}"


def _is_filter_field(field: forms.Field) -> bool:
    # django-filter's choice fields all carry this mixin (its ChoiceFilter, ModelChoiceFilter..).
    from django_filters.fields import ChoiceIteratorMixin

    return isinstance(field, ChoiceIteratorMixin)


# An empty choice with no words: Django's dashes, or a bare "Any"/"All" a filter wrote.
BARE = {DASHES: None, "Any": True, "All": True}


def _empty_words(label: str, words: str, filter_words: str) -> str | None:
    """The words for an empty choice labelled ``label``, or None to keep it."""
    if label not in BARE:
        return None
    return filter_words if BARE[label] else words


def _word_the_empty_choice(field: forms.Field, words: str, filter_words: str) -> None:
    empty_label = getattr(field, "empty_label", None)
    if isinstance(empty_label, str) and (new := _empty_words(empty_label, words, filter_words)):
        # ModelChoiceField and django-filter's fields read it when their choices are listed;
        # the widget's copy of the choices may still point at the field it was copied from.
        field.empty_label = new  # type: ignore[attr-defined]
        field.widget.choices = field.choices  # type: ignore[attr-defined]
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = list(field.choices)  # type: ignore[arg-type]
        if any(
            value == "" and isinstance(label, str) and label in BARE for value, label in choices
        ):
            field.choices = [
                (
                    value,
                    (_empty_words(label, words, filter_words) or label) if value == "" else label,
                )
                for value, label in choices
            ]


class BoundField(forms.BoundField):
    """Django's bound field with the portal's defaults, whatever form it belongs to (the
    form renderer hands it to every form, django-filter's included):

    - every input gets Tabler's class by its widget (form-control, form-select,
      form-check-input), and ``is-invalid`` with ``aria-describedby`` naming its error
      (``id_<name>_error``, written by partials/form_field.html) when it has one;
    - a plain ``DateInput`` is a browser date picker (``type=date``, ISO value);
    - an empty choice reads in words from the label ("Choose a park", "Any status").
    """

    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        super().__init__(form, field, name)
        widget = field.widget
        # The form's own copy of the field (forms deep-copy their base fields): safe to adjust.
        if type(widget) is forms.DateInput:  # the admin's date widget keeps its calendar
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if isinstance(field, forms.ChoiceField) and not widget.is_hidden:
            label = str(field.label or name.replace("_", " "))
            filter_words = empty_choice_words(label, is_filter=True)
            words = (
                filter_words
                if _is_filter_field(field)
                else empty_choice_words(label, is_filter=False)
            )
            _word_the_empty_choice(field, words, filter_words)

    def build_widget_attrs(self, attrs: Any, widget: forms.Widget | None = None) -> Any:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        css = _css_class(widget)
        classes = [
            *str(widget.attrs.get("class", "")).split(),
            *str(attrs.get("class", "")).split(),
        ]
        if css and css not in classes:
            classes.append(css)
        if self.errors:
            classes.append("is-invalid")
            described = [*str(attrs.get("aria-describedby", "")).split(), f"{self.auto_id}_error"]
            attrs["aria-describedby"] = " ".join(dict.fromkeys(described))
        if classes:
            attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs
