"""Every form's fields, whatever form they belong to (core.rendering.BoundField, issue 12 §8):
Tabler's classes by widget, a browser date picker for every date, select placeholders in
words from the label, and an invalid field tied to its error."""

import django_filters
import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from core.rendering import empty_choice_words
from core.vocabulary import ParkStatus

pytestmark = pytest.mark.django_db


class Profile(forms.Form):
    started = forms.DateField()
    kept = forms.DateField(widget=AdminDateWidget(), required=False)
    status = forms.ChoiceField(choices=[("", "---------"), *ParkStatus.choices])
    province = forms.ChoiceField(choices=[("", "Any"), ("PB", "Punjab")], required=False)
    note = forms.CharField(widget=forms.Textarea, help_text="Anything else.")
    agree = forms.BooleanField()


class ParkStatusFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ParkStatus.choices, label="Park status")
    opened_after = django_filters.DateFilter(field_name="opening_date", lookup_expr="gte")


def test_every_date_field_is_a_date_picker_with_an_iso_value():
    form = Profile(initial={"started": "2026-12-01"})
    html = str(form["started"])
    assert 'type="date"' in html
    assert 'value="2026-12-01"' in html


def test_the_admins_date_widget_keeps_its_own_calendar():
    assert 'type="date"' not in str(Profile()["kept"])


def test_a_filters_dates_are_date_pickers_too():
    from parks.models import Park

    form = ParkStatusFilter({}, queryset=Park.objects.none()).form
    assert 'type="date"' in str(form["opened_after"])


def test_a_forms_empty_choice_says_choose_and_a_filters_says_any():
    assert "---------" not in str(Profile()["status"])
    assert '<option value="" selected>Choose a status</option>' in str(Profile()["status"])
    from parks.models import Park

    form = ParkStatusFilter({}, queryset=Park.objects.none()).form
    assert '<option value="" selected>Any park status</option>' in str(form["status"])


def test_a_bare_any_is_worded_from_the_label():
    assert '<option value="" selected>Any province</option>' in str(Profile()["province"])


@pytest.mark.parametrize(
    ("label", "is_filter", "words"),
    [
        ("Park", False, "Choose a park"),
        ("Unit kind", False, "Choose a unit kind"),
        ("Action", False, "Choose an action"),
        ("Status", True, "Any status"),
        ("PSEB office", True, "Any PSEB office"),
    ],
)
def test_empty_choice_words(label, is_filter, words):
    assert empty_choice_words(label, is_filter=is_filter) == words


def test_inputs_get_tablers_class_by_widget():
    form = Profile()
    assert 'class="form-control"' in str(form["started"])
    assert 'class="form-select"' in str(form["status"])
    assert 'class="form-control"' in str(form["note"])
    assert 'class="form-check-input"' in str(form["agree"])


def test_an_invalid_field_is_marked_and_described_by_its_error_and_help():
    form = Profile({"note": ""})
    assert not form.is_valid()
    html = str(form["note"])
    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_note_helptext id_note_error"' in html
    assert "is-invalid" not in str(Profile()["note"])


def test_the_field_partial_writes_the_ids_the_input_points_at():
    from django.template.loader import render_to_string

    form = Profile({"note": ""})
    form.is_valid()
    html = render_to_string("partials/form_field.html", {"field": form["note"]})
    assert 'id="id_note_helptext"' in html
    assert 'id="id_note_error"' in html
    assert 'class="form-label required"' in html
