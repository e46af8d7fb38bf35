"""The OpenAPI schema states what the API really answers (api.md conventions), once for every
operation: its error responses with the bodies ``stp_portal.api`` gives them, and the bounds
of the ids in its paths.

Which errors an operation can answer follows from how it is built:

- 400 ``{field: [messages]}`` (or ``{"detail"}`` for a body that is not JSON): it reads a body
  or query parameters; and any operation, for an address holding control characters
  (``stp_portal.middleware``);
- 401 ``{"detail"}``: it authenticates the caller (an invalid, expired or revoked token is
  refused even where signing in is optional);
- 403 ``{"detail"}``: a role may be refused it: every authenticated write (the services check
  the role; a browser session without its CSRF token is refused too), and reads guarded by a
  permission of their own;
- 404 ``{"detail"}``: its path names an object (outside the caller's scope is 404, never 403),
  or it is a list and the page asked for is after the last;
- 409 ``{"detail", field: [messages]}``: an action on an object, whose state may not allow it;
- 413 ``{"detail"}``: it reads a body, which has a size limit (``stp_portal.middleware``);
- 415 ``{"detail"}``: it reads a body, whose media type (or a multipart part's) may be one no
  parser reads;
- 429 ``{"detail"}`` with ``Retry-After``: it is rate limited (sign-up, token).

A view adds what the rules cannot see (a 404 for an object named in its body, a 409 for an
update) with ``@extend_schema(responses={code: OpenApiResponse(description=...)})``; the body
schema is filled in here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

from tenants.filters import MAX_ID

_MESSAGES = {"type": "array", "items": {"type": "string"}}
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "Why the request was refused.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "Bad input: each field named with its messages (``non_field_errors`` for "
        "the request as a whole; nested for items of a list), or ``detail`` when the body could "
        "not be read at all.",
        "properties": {"detail": {"type": "string"}, "non_field_errors": _MESSAGES},
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    },
    "Conflict": {
        "type": "object",
        "description": "The request conflicts with the state of the data: ``detail`` says why, "
        "and the fields concerned carry the same messages.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": _MESSAGES,
    },
}
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("ValidationError", "Bad input."),
    "401": ("Error", "Not signed in, or the token is invalid, expired or revoked."),
    "403": ("Error", "Signed in, but this role may not do this."),
    "404": ("Error", "Not found, or outside the caller's scope."),
    "409": ("Conflict", "The state of the data does not allow this."),
    "413": ("Error", "The request body is larger than its limit."),
    "415": ("Error", "The request body's media type is not JSON, a form or multipart."),
    "429": ("Error", "Too many requests: wait for the seconds in Retry-After."),
}
# stp_portal.middleware refuses such an address before any view, whatever the operation.
_ADDRESS_400 = "The address holds characters that cannot be used (control characters, NUL)."
_OPEN_401 = "The token sent is invalid, expired or revoked (this operation needs none)."
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                _bound_path_id(parameter)
            elif parameter["in"] == "query":
                _refuse_blank(parameter)
        responses = operation["responses"]
        for code, description in self._error_statuses(operation).items():
            name, default = ERRORS[code]
            self.registry.register_on_missing(
                ResolvedComponent(
                    name=name,
                    type=ResolvedComponent.SCHEMA,
                    object=name,
                    schema=ERROR_SCHEMAS[name],
                )
            )
            response = responses.setdefault(code, {})
            response["description"] = response.get("description") or description or default
            response["content"] = {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
            }
            if code == "429":
                response["headers"] = _RETRY_AFTER
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> dict[str, str]:
        """The error statuses this operation can answer, each with its description ("" for
        the default one); those the view declared itself come first."""
        codes = {code: "" for code in operation["responses"] if code in ERRORS}
        parameters = operation.get("parameters", [])
        unsafe = self.method not in permissions.SAFE_METHODS
        # (DRF's ?format= picks a renderer: an unknown one is a 404, not bad input.)
        queried = any(p["in"] == "query" and p["name"] != "format" for p in parameters)
        codes.setdefault("400", "" if "requestBody" in operation or queried else _ADDRESS_400)
        if "requestBody" in operation:
            codes.setdefault("413", "")
            codes.setdefault("415", "")
        authenticators = self.view.get_authenticators()
        if authenticators:
            open_to_all = {} in operation.get("security", [])
            codes.setdefault("401", _OPEN_401 if open_to_all else "")
        guarded = any(
            type(p) not in (permissions.AllowAny, permissions.IsAuthenticated)
            for p in self.view.get_permissions()
        )
        session = any(isinstance(a, SessionAuthentication) for a in authenticators)
        if guarded or (unsafe and session):
            codes.setdefault("403", "")
        if any(p["in"] == "path" for p in parameters):
            codes.setdefault("404", "")
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            codes.setdefault("404", "There is no such page: it is after the last one.")
        if unsafe and getattr(self.view, "detail", False) and _is_extra_action(self.view):
            codes.setdefault("409", "")
        if self.view.get_throttles():
            codes.setdefault("429", "")
        return codes


def _is_extra_action(view: Any) -> bool:
    """An ``@action`` on one object (submit, approve, terminate, payments…)."""
    action = getattr(view, "action", None)
    extras = getattr(type(view), "get_extra_actions", None)
    return (
        action is not None
        and extras is not None
        and any(extra.__name__ == action for extra in extras())
    )


def _bound_path_id(parameter: dict[str, Any]) -> None:
    """An id in a path is a positive whole number within the database's 64-bit range; any
    other path segment holds no control character (stp_portal.middleware refuses them)."""
    schema = parameter["schema"]
    if schema.get("type") == "integer" or schema.get("pattern") == r"^\d+$":
        parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif schema.get("type") == "string" and "pattern" not in schema:
        schema["pattern"] = _TEXT_PATTERN


# No control character (stp_portal.middleware refuses them), and not blank (api_requests).
_USABLE = r"[^\u0000-\u001f\u007f-\u009f]"
_TEXT_PATTERN = rf"^{_USABLE}*[^\s\u0000-\u001f\u007f-\u009f]{_USABLE}*$"


def _refuse_blank(parameter: dict[str, Any]) -> None:
    """A free-text filter takes some text: blank, or with control characters, it is refused."""
    schema = parameter["schema"]
    if schema.get("type") == "string" and not {"enum", "pattern", "format"} & set(schema):
        schema["pattern"] = _TEXT_PATTERN
