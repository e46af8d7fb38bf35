"""The forms of progress returns (domain.md §4a): filing one, amending it, and the quarter a
list is filtered by.

The figures' fields come from the one statement of them (``ReturnFigures.names()``, labelled
by the model's verbose names, grouped and explained by ``returns.inputs``). They take text and
read it as well as they can; ``returns.services`` then judges every figure at once, and its
ValidationError lands on these fields (``stp_portal.forms.add_service_errors``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.calendar import FiscalQuarter, quarter_from_text

from .domain import COUNT_FIELDS, MARKETS_MAX_LENGTH, MONEY_FIELDS, ReturnFigures
from .inputs import FIGURE_GROUPS, FIGURE_HELP, LARGEST_VERSION, figures_from
from .models import ProgressReturn


def figure_label(name: str) -> str:
    """A figure's name as pages show it: the model's verbose name, capitalised."""
    field = cast("models.Field[Any, Any]", ProgressReturn._meta.get_field(name))
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]


def _figure_field(name: str) -> forms.Field:
    if name in COUNT_FIELDS:
        attrs = {"inputmode": "numeric", "autocomplete": "off"}
    elif name in MONEY_FIELDS:
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
    else:
        attrs = {"maxlength": str(MARKETS_MAX_LENGTH)}
    return forms.CharField(
        label=figure_label(name),
        help_text=FIGURE_HELP[name],
        required=False,
        # No bounds here: the rules (returns.domain) state them, with their own messages.
        widget=forms.TextInput(attrs=attrs),
    )


class FiguresForm(forms.Form):
    """A return's figures, grouped (people, money, markets) for the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ReturnFigures.names():
            self.fields[name] = _figure_field(name)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIGURE_GROUPS]

    def figures(self) -> ReturnFigures:
        """The figures as typed, read into numbers where they are ones (after is_valid)."""
        return figures_from(self.cleaned_data, typed=True)

    @classmethod
    def initial_of(cls, version: ProgressReturn) -> dict[str, Any]:
        """A filed version's figures, to start an amendment from."""
        return ReturnFigures.of(version).as_dict()


class AmendmentForm(FiguresForm):
    """A new version: the figures, prefilled with the current ones, and why they change.
    ``version`` is the version the person saw: if another was filed meanwhile, the
    amendment is refused rather than made on figures they never read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label="Reason for the amendment",
            help_text="What was wrong, and what the new figures correct.",
            required=False,  # the service asks for it, alongside the figures' problems
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        unreadable = "This page no longer says which version you amend: open it again."
        self.fields["version"] = forms.IntegerField(
            required=False,
            min_value=1,
            max_value=LARGEST_VERSION,
            widget=forms.HiddenInput,
            error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), unreadable),
        )

    def add_error(self, field: str | None, error: Any) -> None:
        """A problem with a hidden field (the version read, stale or altered) has no place
        of its own on the page: it is shown above the form with the others'."""
        if field is not None and field in self.fields and self.fields[field].widget.is_hidden:
            field = None
        super().add_error(field, error)


class QuarterField(forms.Field):
    """A fiscal quarter typed as ``2026-27 Q2``: a FiscalQuarter, or the calendar's message
    (``core.calendar.quarter_from_text``). ``exact`` (the API): only as its schema writes it
    (no spaces around it). The one quarter field of the returns' and the reports' filters."""

    def __init__(self, *, exact: bool = False, **kwargs: Any) -> None:
        self.exact = exact
        attrs = {"placeholder": "2026-27 Q2", "maxlength": "20"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> FiscalQuarter | None:
        if value in self.empty_values:
            return None
        text = str(value) if self.exact else str(value).strip()
        if not text:
            return None
        try:
            return quarter_from_text(text, exact=self.exact)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc
