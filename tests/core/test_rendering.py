"""A select written by ``core.rendering`` is the HTML Django's templates write (issue 9)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.rendering import BoundField, FormRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "Any"), ("x<y", 'X & <b>"quoted"</b>'), ("GLT", "Gilgit")], required=False
    )
    grouped = forms.MultipleChoiceField(
        choices=[("Group <1>", [("1", "one"), ("2", "two")]), ("3", "three")]
    )
    flagged = forms.TypedChoiceField(
        choices=[(1, "one"), (2, "two")],
        widget=forms.Select(attrs={"aria-describedby": 'h"x', "disabled": True, "data-x": False}),
    )


DATA = {"plain": "x<y", "grouped": ["2", "3"], "flagged": "1"}


def _lines(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize("name", list(Choices.base_fields))
@pytest.mark.parametrize("data", [DATA, None])
def test_a_select_is_the_html_djangos_templates_write(name, data):
    # the same bound field (its classes and words) for both: only the select's writing differs
    theirs = Choices(data, renderer=DjangoTemplates(), bound_field_class=BoundField)
    django = theirs[name].as_widget()
    ours = Choices(data, renderer=FormRenderer())[name].as_widget()
    assert _lines(ours) == _lines(django)
    assert "<b>" not in ours


def test_the_portal_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
