"""Request bodies are refused while being read, before anything reaches the disk (issue 7,
request limits): 1 MB for every request, a 10 MB document (plus its form) for an upload.

The big requests are sent straight to Django's WSGI handler with a ``wsgi.input`` that makes
up its bytes as they are read and counts them, so a 300 MB body costs nothing unless the
portal reads it.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stp_portal.middleware import BoundedBody, _takes_document, upload_body_limit
from tenants import services
from tenants.models import ApplicationDocument
from tenants.selectors import company_of
from tests.factories import application_input
from tests.pdfs import PDF, pdf_of_size

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
MB = 1024 * 1024
BOUNDARY = "----stp-probe"


class CountingInput:
    """A request body of ``total`` bytes that exists only as it is read: the multipart head
    of one file field, then filler. ``read_bytes`` says how much the server took in."""

    def __init__(self, total: int) -> None:
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.total = total
        self.read_bytes = 0

    def _take(self, size: int | None) -> bytes:
        left = self.total - self.read_bytes
        size = left if size is None or size < 0 else min(size, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + size
        head = self.head[start : start + size]
        return head + b"x" * (size - len(head))

    def read(self, size: int | None = -1) -> bytes:
        return self._take(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(size)


def _post(path: str, body: CountingInput, *, length: int | None, **extra: str):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.7",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    # Django's own WSGI request handling and middleware, CSRF checks on, as in production.
    return ClientHandler(enforce_csrf_checks=True)(environ)


@pytest.fixture
def scratch(settings, tmp_path, monkeypatch):
    """A temporary directory of this test's own, for whatever might spool a body to disk."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.mark.parametrize("path", ["/accounts/sign-in/", "/api/v1/auth/signup/"])
def test_a_300_mb_anonymous_post_is_refused_before_its_body_is_read(path, scratch):
    body = CountingInput(300 * MB)
    response = _post(path, body, length=300 * MB)
    assert response.status_code == 413
    assert body.read_bytes <= settings.REQUEST_MAX_BYTES
    assert not any(scratch.iterdir())


def test_the_413_is_json_under_the_api_and_a_page_elsewhere(scratch):
    api = _post("/api/v1/auth/signup/", CountingInput(2 * MB), length=2 * MB)
    assert api["Content-Type"] == "application/json"
    assert "too large" in json.loads(api.content)["detail"]
    page = _post("/accounts/sign-in/", CountingInput(2 * MB), length=2 * MB)
    assert page["Content-Type"].startswith("text/html")
    assert "Request too large" in page.content.decode()


@pytest.mark.parametrize("path", ["/accounts/sign-in/", "/api/v1/auth/signup/"])
def test_a_body_that_claims_less_than_it_sends_is_read_no_further_than_its_claim(path, scratch):
    body = CountingInput(300 * MB)
    claimed = settings.REQUEST_MAX_BYTES - 1
    response = _post(path, body, length=claimed)
    assert response.status_code < 500
    assert body.read_bytes <= claimed
    assert not any(scratch.iterdir())


@pytest.mark.parametrize("path", ["/accounts/sign-in/", "/api/v1/auth/signup/"])
def test_a_chunked_body_without_a_length_is_never_read_past_the_limit(path, scratch):
    body = CountingInput(300 * MB)
    response = _post(path, body, length=None, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code < 500
    assert body.read_bytes <= settings.REQUEST_MAX_BYTES
    assert not any(scratch.iterdir())


def test_the_body_reader_refuses_to_read_on_past_its_limit():
    source = CountingInput(300 * MB)
    exceeded = []
    body = BoundedBody(source, length=0, limit=MB, on_exceeded=lambda: exceeded.append(True))
    assert len(body.read(MB)) == MB
    with pytest.raises(RequestDataTooBig):
        body.read(1)
    assert exceeded == [True]
    assert source.read_bytes == MB


def test_a_body_over_the_ordinary_limit_is_refused_on_a_view_that_takes_no_document(scratch):
    # Under the upload limit, so only the view decides: sign-in takes no document.
    body = CountingInput(2 * MB)
    response = _post("/accounts/sign-in/", body, length=2 * MB)
    assert response.status_code == 413
    assert body.read_bytes == 0


# --- Document uploads ------------------------------------------------------------------------
@pytest.fixture
def draft(company_user, park):
    return services.application_create(
        user=company_user,
        company=company_of(company_user),
        data=application_input(park),
    )


def _signed_in_post(client, user, path: str, body: CountingInput, length: int):
    client.force_login(user)
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    return _post(path, body, length=length, HTTP_COOKIE=cookies)


@pytest.mark.parametrize("name", ["tenants:document_upload", "tenants:application_edit"])
def test_an_upload_over_the_upload_limit_is_refused_before_it_is_read(
    client, company_user, draft, name, scratch
):
    body = CountingInput(300 * MB)
    path = reverse(name, args=[draft.pk])
    response = _signed_in_post(client, company_user, path, body, 300 * MB)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert not any(scratch.iterdir())


def test_the_api_upload_over_the_upload_limit_is_refused_before_it_is_read(
    as_user, company_user, draft, scratch
):
    body = CountingInput(upload_body_limit() + 1)
    path = reverse("api:application-documents", args=[draft.pk])
    response = _post(
        path, body, length=upload_body_limit() + 1, HTTP_AUTHORIZATION=_token(as_user, company_user)
    )
    assert response.status_code == 413
    assert json.loads(response.content)["detail"]
    assert body.read_bytes == 0


def _token(as_user, user) -> str:
    return as_user(user)._credentials["HTTP_AUTHORIZATION"]


def test_a_document_one_byte_over_10_mb_is_refused_with_the_limit_named(
    client, company_user, draft, scratch
):
    client.force_login(company_user)
    big = pdf_of_size(settings.UPLOAD_MAX_BYTES + 1)
    response = client.post(
        reverse("tenants:document_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("big.pdf", big, content_type="application/pdf")},
        follow=True,
    )
    assert "the limit is 10 MB" in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert not any(scratch.iterdir())


def test_a_document_of_10_mb_is_accepted_by_the_page_and_the_api_and_never_spooled(
    client, as_user, company_user, draft, scratch
):
    exact = pdf_of_size(settings.UPLOAD_MAX_BYTES)
    client.force_login(company_user)
    client.post(
        reverse("tenants:document_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("plan.pdf", exact, content_type="application/pdf")},
    )
    response = as_user(company_user).post(
        reverse("api:application-documents", args=[draft.pk]),
        {"file": SimpleUploadedFile("plan.pdf", exact, content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert ApplicationDocument.objects.count() == 2
    assert not any(scratch.iterdir())


def test_a_small_upload_still_works(client, company_user, draft):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:document_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")},
        follow=True,
    )
    assert "Uploaded plan.pdf" in response.content.decode()


def test_uploads_are_held_in_memory_only():
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]
    assert upload_body_limit() <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_MAX_BYTES


# --- The front proxy sets the same limits ------------------------------------------------------
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX = (ROOT / "deploy/nginx.conf").read_text()


def _upload_routes() -> list[str]:
    """A sample address of every route whose view is marked accepts_document_upload."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern).lstrip("^").rstrip("$")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and _takes_document(p.callback, "POST"):
                found.append("/" + re.sub(r"<\w+:\w+>|\(\?P<\w+>[^)]*\)", "7", route))

    walk(get_resolver().url_patterns, "")
    return found


def _mb(size: str) -> int:
    assert size.endswith("m"), size
    return int(size[:-1]) * MB


def test_the_compose_file_puts_nginx_in_front_of_web_with_one_trusted_proxy():
    services_ = COMPOSE["services"]
    proxy = services_["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert services_["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    # Nothing reaches web around the proxy, or X-Forwarded-For could be anyone's.
    assert "ports" not in services_["web"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX


def test_the_proxy_limits_agree_with_the_settings():
    server_limits = re.findall(r"^    client_max_body_size (\w+);", NGINX, re.M)
    assert server_limits
    assert all(_mb(s) == settings.REQUEST_MAX_BYTES for s in server_limits)
    locations = re.findall(r"location ~ (\S+) \{\s*client_max_body_size (\w+);", NGINX, re.M | re.S)
    assert locations
    assert all(_mb(size) == upload_body_limit() for _, size in locations)
    # Exactly the routes marked in the code get the upload limit at the proxy.
    routes = _upload_routes()
    assert len(routes) == 3, routes
    for route in routes:
        assert any(re.match(regex, route) for regex, _ in locations), route
    assert not any(re.match(regex, "/accounts/sign-in/") for regex, _ in locations)
