"""Request and response guards that apply to every page and API call (docs/security.md)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    """Signed-in pages and every API answer may hold a company's data: no shared or browser
    cache keeps them (``Cache-Control: private, no-store``). Every response also carries the
    Permissions-Policy: the portal uses no camera, microphone, location or payment API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith("/api/"):
            patch_cache_control(response, private=True, no_store=True)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class StatementTimeoutMiddleware:
    """A request whose query ran past ``DB_STATEMENT_TIMEOUT_MS`` (PostgreSQL cancelled it:
    SQLSTATE 57014) answers 503 with a clear message and ``Retry-After``, not a 500: the
    request was too big for a web worker (a very broad filter), and nothing was changed."""

    MESSAGE = (
        "This request took too long and was stopped. Narrow the filters or try again in a "
        "minute; nothing was changed."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        if getattr(exception.__cause__, "pgcode", None) != "57014":  # query_canceled
            return None
        logging.getLogger(__name__).warning("Statement timeout on %s", request.path)
        if request.path_info.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": self.MESSAGE}, status=503)
        else:
            response = render(request, "503.html", {"message": self.MESSAGE}, status=503)
        response["Retry-After"] = "60"
        return response


# --- Request bodies ----------------------------------------------------------------------------
ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def accepts_document_upload(view: ViewT) -> ViewT:
    """Marks a page view or an API action that takes a supporting document: its request body
    may hold one document (``UPLOAD_MAX_BYTES``) besides an ordinary form
    (``REQUEST_MAX_BYTES``). Every other view accepts ``REQUEST_MAX_BYTES`` only."""
    view.accepts_document_upload = True  # type: ignore[attr-defined]
    return view


def upload_body_limit() -> int:
    """The largest request body of a view marked ``accepts_document_upload`` (bytes)."""
    return settings.UPLOAD_MAX_BYTES + settings.REQUEST_MAX_BYTES


def _takes_document(view_func: Callable[..., Any], method: str) -> bool:
    if getattr(view_func, "accepts_document_upload", False):
        return True
    # A DRF viewset route maps each HTTP method to an action: the mark is on the action.
    cls = getattr(view_func, "cls", None)
    action = (getattr(view_func, "actions", None) or {}).get(method.lower())
    handler = getattr(cls, action, None) if cls is not None and action else None
    return bool(getattr(handler, "accepts_document_upload", False))


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...


class BoundedBody:
    """The request body as the views read it, never past ``limit`` bytes: whatever the
    Content-Length says (or when there is none, as with a chunked body), reading on past the
    limit raises RequestDataTooBig instead of taking in more."""

    def __init__(
        self, stream: _Readable, *, length: int, limit: int, on_exceeded: Callable[[], None]
    ) -> None:
        self.stream = stream
        self.length = length
        self.limit = limit
        self.position = 0
        self.on_exceeded = on_exceeded

    def _room(self, size: int | None) -> int:
        room = self.limit - self.position
        if room <= 0 and size != 0 and self._more_to_come():
            self.on_exceeded()
            raise RequestDataTooBig("The request body is larger than its limit.")
        return room if size is None or size < 0 else min(size, room)

    def _more_to_come(self) -> bool:
        # With no length announced (a chunked body) the body may always go on: reading on at
        # the limit is refused rather than taking in one more byte to find out.
        return self.position < self.length or not self.length

    def read(self, size: int | None = -1, /) -> bytes:
        data = self.stream.read(self._room(size))
        self.position += len(data)
        return data

    def readline(self, size: int | None = -1, /) -> bytes:
        line = self.stream.readline(self._room(size))
        self.position += len(line)
        return line

    def close(self) -> None:
        # Django closes the stream once it has read the whole body (request.body).
        if close := getattr(self.stream, "close", None):
            close()


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django reads it: an unreadable length is no body at all


class RequestBodyLimitMiddleware:
    """Request bodies are refused (413) while they are read, before they reach the disk:
    ``REQUEST_MAX_BYTES`` for every view, ``upload_body_limit()`` for the views marked
    ``accepts_document_upload``. A Content-Length over the limit is refused before a byte is
    read; a body that claims less, or no length, can still never be read past it. Runs before
    any other middleware can read the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _content_length(request)
        if length > upload_body_limit():
            return _too_large(request)

        def exceeded() -> None:
            request._body_too_large = True  # type: ignore[attr-defined]

        # Until the view is known, the ordinary limit holds; process_view may raise it.
        request._body_limit = BoundedBody(  # type: ignore[attr-defined]
            request._stream,
            length=length,
            limit=settings.REQUEST_MAX_BYTES,
            on_exceeded=exceeded,
        )
        request._stream = request._body_limit  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Whoever caught RequestDataTooBig on the way (a parser, Django's 400 handler), the
        # answer is 413.
        if getattr(request, "_body_too_large", False):
            return _too_large(request)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if _takes_document(view_func, request.method or ""):
            body: BoundedBody | None = getattr(request, "_body_limit", None)
            if body is not None:
                body.limit = upload_body_limit()
            return None
        if _content_length(request) > settings.REQUEST_MAX_BYTES:
            return _too_large(request)
        return None


def _too_large(request: HttpRequest) -> HttpResponse:
    from .views import request_too_large

    return request_too_large(request)


# --- Unusable characters -----------------------------------------------------------------------
logger = logging.getLogger("django.security.UnusableCharacters")
# C0 and C1 control characters (NUL among them), DEL, and lone surrogates.
_UNUSABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _unusable(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _UNUSABLE.search(text) is not None


class UnusableCharactersMiddleware:
    """A path or query string holding a control character (NUL among them), a surrogate or
    bytes that are not UTF-8 is refused with 400 here, once, before any view, form or query
    sees it: PostgreSQL refuses NUL in a string, so such a value would otherwise fail deep
    inside a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Django has already decoded the path (META["PATH_INFO"] is no longer WSGI's latin-1).
        path = request.path_info.encode("utf-8", "surrogatepass")
        query = unquote_to_bytes(get_bytes_from_wsgi(request.META, "QUERY_STRING", ""))
        if _unusable(path) or _unusable(query):
            from .views import bad_request

            # One line, no traceback: a probe sending these is not an error of ours.
            logger.warning("Unusable characters in the address refused: %r", request.path)
            return bad_request(request, BadRequest("Unusable characters in the address."))
        return self.get_response(request)
