"""One write path for the admin site (issue 7 item 9).

The admin is a second door to the same data as the portal, so it writes through the same
service functions: they check the role, the workflow state and the input, take the locks,
send the e-mails, and the audit trail sees one kind of write. Two kinds of ModelAdmin exist:

* ``ReadOnlyAdmin`` — shows, never writes (no add, change or delete, no actions). Workflow
  state and money are like this: statements, payments, credit notes, charges, billing runs,
  leases once recorded, application status.
* ``ServiceAdmin`` — every write it allows is named in ``write_services``: the key is the
  kind of write (``"add"``, ``"change"``, ``"delete"``, or an action's name) and the value
  the dotted path of the service function that performs it. A write not named there is not
  offered at all (no permission, no action). The path is resolved when the write happens, so
  the function in the services module is the one that runs (and that a test can wrap).

A service refusal (``ValidationError``, ``Conflict``) is shown on the form like any field
error, with the service's own message, and nothing is written: the admin's transaction is
rolled back and the form is shown again with the refusal attached (see ``changeform_view``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

WRITE_KINDS = ("add", "change", "delete")


def service_error_messages(exc: ValidationError) -> list[str]:
    """A service refusal as plain sentences, for an admin message."""
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _attach(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field where the form has that field,
    otherwise at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: no add, no change, no delete, no actions.

    PSEB still opens every list and object (view permission); the change page renders every
    field read-only.
    """

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists related rows; they are written elsewhere, through a service."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write calls a declared service function.

    Subclasses declare ``write_services`` and implement the hooks for what they declare:
    ``create(request, form)`` for ``"add"``, ``update(request, obj, form)`` for ``"change"``,
    ``remove(request, obj)`` for ``"delete"``; an action calls ``self.service(name)``.
    Inlines on a ServiceAdmin must be read-only (``ReadOnlyInline``): their rows would be
    saved by the admin itself, around the service.
    """

    write_services: ClassVar[Mapping[str, str]] = {}

    def service(self, kind: str) -> Callable[..., Any]:
        return import_string(self.write_services[kind])

    # --- What is offered: only the declared writes --------------------------------------------
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return "add" in self.write_services and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "change" in self.write_services and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "delete" in self.write_services and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        return {name: action for name, action in actions.items() if name in self._action_names()}

    def _action_names(self) -> set[str]:
        names = {k for k in self.write_services if k not in WRITE_KINDS}
        if "delete" in self.write_services:
            names.add("delete_selected")  # it calls delete_queryset → remove, below
        return names

    def get_inlines(self, request: HttpRequest, obj: Any) -> list:
        # Inlines list what a saved object has; a new one has nothing yet.
        return list(self.inlines) if obj is not None else []

    # --- The hooks a subclass fills in -------------------------------------------------------
    def create(self, request: HttpRequest, form: forms.ModelForm) -> models.Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm) -> Any:
        raise NotImplementedError

    def remove(self, request: HttpRequest, obj: models.Model) -> None:
        raise NotImplementedError

    @staticmethod
    def changed(form: forms.ModelForm, names: Iterable[str] | None = None) -> dict[str, Any]:
        """Exactly the fields the user changed on the form (of ``names``, if given)."""
        allowed = set(names) if names is not None else None
        return {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if allowed is None or name in allowed
        }

    # --- Django's save and delete, routed through the hooks -----------------------------------
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        saved = self.update(request, obj, form) if change else self.create(request, form)
        # The admin goes on with ``obj`` (its log entry, the redirect): make it the saved row.
        obj.pk = getattr(saved, "pk", obj.pk)
        obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields are the service's to set; inlines are read-only, so their
        # formsets save nothing (the change message still asks them what they saved).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.remove(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.remove(request, obj)

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # The service builds and saves the object; the form only validated the input.
        return form.instance

    # --- A refusal is a form error, not a 500 -----------------------------------------------
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            if request.method != "POST" or hasattr(request, "_service_refusal"):
                raise
            refusal = exc
        # The admin's transaction was rolled back: show the same form again, its input kept,
        # with the service's refusal attached, so it validates as refused and saves nothing.
        request._service_refusal = refusal  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal: ValidationError | None = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class
        error = refusal  # narrowed for the class below

        class RefusedForm(form_class):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                _attach(self, error)
                return cleaned

        return RefusedForm

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            for message in service_error_messages(exc):
                self.message_user(request, message, messages.ERROR)
            return self.response_post_save_change(request, self.get_object(request, object_id))

    def response_action(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> HttpResponse | None:
        try:
            return super().response_action(request, queryset)
        except ValidationError as exc:  # e.g. delete_selected refused by the service
            for message in service_error_messages(exc):
                self.message_user(request, message, messages.ERROR)
            return None
