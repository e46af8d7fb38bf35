"""Statement PDFs (domain.md §6): rendered from the template with local fonts only, stored
once, e-mailed once to the company's owner(s)."""

import socket
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from core.calendar import Period
from core.vocabulary import MemberRole
from subsidies import pdf, services
from subsidies.models import Statement
from tests import factories
from tests.subsidies.pdf_support import issue, laid_out_text, loaded, pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme():
    return factories.SubsidySchemeFactory(name="STP Tenant Subsidy 2022")


@pytest.fixture
def tenant():
    return factories.CompanyFactory(
        name="Chenab Code Works (Pvt) Ltd", ntn="4123456-7", city="Gujranwala"
    )


@pytest.fixture
def owner(tenant):
    return factories.MembershipFactory(
        company=tenant, role=MemberRole.OWNER, user__email="owner@chenab.pk"
    ).user


@pytest.fixture
def statement(park, tenant, owner, scheme):
    """domain.md's worked example: A-101 (60,000.00 rent, 5,000.00 internet) from 15 March."""
    unit = factories.UnitFactory(park=park, code="A-101")
    factories.LeaseFactory(company=tenant, park=park, units=[unit], start_date=date(2026, 3, 15))
    return issue(park, tenant)


def test_statement_renders_to_a_one_page_pdf(statement):
    # when
    content = pdf.renderer().render(statement)

    # then
    assert content.startswith(b"%PDF-")
    assert pdf_page_count(content) == 1
    assert len(pdf.renderer().document(statement).pages) == 1


def test_statement_pdf_shows_number_company_net_and_scheme(statement):
    # when
    text = laid_out_text(pdf.renderer().document(statement))

    # then
    assert statement.number == "GUJ-2025-26-00001"
    for expected in (
        "Pakistan Software Export Board — Software Technology Parks",
        "Gujranwala STP",
        "GUJ-2025-26-00001",
        "Chenab Code Works (Pvt) Ltd",
        "4123456-7",
        "March 2026",
        "1 April 2026",
        "16 April 2026",
        "32,903.23",
        "-8,225.81",
        "-2,741.94",
        "PKR 35,645.17",
        "PKR -10,967.75",
        "PKR 24,677.42",
        "STP Tenant Subsidy 2022",
        "15 March 2026 to 14 March 2027",
        f"/verify/{statement.verification_token}/",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_statement_pdf_bytes_carry_the_text(statement):
    # when
    text = pdf_text(pdf.renderer().render(statement))

    # then
    for expected in (
        statement.number,
        "Chenab Code Works (Pvt) Ltd",
        "PKR 24,677.42",
        "STP Tenant Subsidy 2022",
    ):
        assert expected in text, expected


def test_html_shows_the_same_texts_and_links_its_stylesheet_when_standalone(statement):
    # when
    standalone = pdf.statement_html(statement)
    inline = pdf.statement_html(statement, standalone=False)

    # then
    for html in (standalone, inline):
        assert statement.number in html
        assert "Chenab Code Works (Pvt) Ltd" in html
        assert "PKR 24,677.42" in html
        assert "STP Tenant Subsidy 2022" in html
        assert "<svg" in html
    assert 'href="subsidies/statement_pdf.css"' in standalone
    assert "statement_pdf.css" not in inline


def test_qr_code_encodes_the_public_verification_address(statement):
    url = statement.verification_url

    assert url == f"{settings.SITE_URL}/verify/{statement.verification_token}/"
    assert len(statement.verification_token) >= 32  # unguessable
    assert pdf.qr_svg(url) in pdf.statement_html(statement)
    assert pdf.qr_svg(url).startswith("<svg")


def test_window_shows_its_last_day_not_its_exclusive_end(park, tenant, owner, scheme):
    # given: a window from 31 January ends 31 January next year, exclusive (§5 rule 1)
    factories.LeaseFactory(company=tenant, park=park, start_date=date(2026, 1, 31))

    # when
    statement = issue(park, tenant, period=Period(2026, 2))
    html = pdf.statement_html(statement)

    # then
    assert statement.window_end == date(2027, 1, 31)
    assert "31 January 2026 to 30 January 2027" in html


def test_statement_without_subsidy_says_so(park, tenant, owner):
    # given: no scheme at all
    factories.LeaseFactory(company=tenant, park=park, start_date=date(2026, 3, 1))

    # when
    statement = issue(park, tenant)
    text = laid_out_text(pdf.renderer().document(statement))

    # then
    assert statement.scheme is None
    assert "No subsidy applies to this statement." in text
    assert "No subsidy scheme covered this park when the company's first lease here began." in text
    assert "PKR 65,000.00" in text


def test_statement_after_the_window_says_when_the_window_ran_on_one_page(
    park, tenant, owner, scheme
):
    # given: four units since 15 January 2025, so the window ran to 14 January 2026
    units = [factories.UnitFactory(park=park, code=f"A-{101 + i}") for i in range(4)]
    factories.LeaseFactory(company=tenant, park=park, units=units, start_date=date(2025, 1, 15))

    # when: March 2026 is billed (the window is fixed now, from the first lease)
    statement = issue(park, tenant)
    document = pdf.renderer().document(statement)
    text = laid_out_text(document)

    # then: the statement stores no scheme, yet the PDF says why there is no subsidy
    assert statement.scheme is None
    assert statement.subsidy_total == 0
    assert "No subsidy applies to this statement." in text
    assert "The subsidy window (15 January 2025 to 14 January 2026) ended before this month." in (
        text
    )
    assert len(document.pages) == 1


def test_rendering_a_statement_without_subsidy_reads_its_window_once_or_not_if_prefetched(
    park, tenant, owner, scheme, django_assert_num_queries
):
    factories.LeaseFactory(company=tenant, park=park, start_date=date(2025, 1, 15))
    statement = issue(park, tenant)
    pdf.renderer().render(loaded(statement.pk))  # warm the renderer
    as_the_worker_loads_it = loaded(statement.pk)

    with django_assert_num_queries(1):
        pdf.renderer().render(as_the_worker_loads_it)
    prefetched = (
        Statement.objects.select_related("company", "park", "scheme", "snapshot")
        .prefetch_related("lines", "company__subsidy_windows")
        .get(pk=statement.pk)
    )
    with django_assert_num_queries(0):
        pdf.renderer().render(prefetched)


def test_four_units_still_fit_one_page(park, tenant, owner, scheme):
    units = [factories.UnitFactory(park=park, code=f"A-{101 + i}") for i in range(4)]
    factories.LeaseFactory(company=tenant, park=park, units=units, start_date=date(2026, 3, 15))

    statement = issue(park, tenant)

    assert statement.lines.count() == 16
    assert len(pdf.renderer().document(statement).pages) == 1


def test_rendering_a_loaded_statement_makes_no_query(statement, django_assert_num_queries):
    pdf.renderer().render(statement)  # warm: nothing else is loaded lazily afterwards

    with django_assert_num_queries(0):
        pdf.renderer().render(statement)


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        (Decimal("24677.42"), "24,677.42"),
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("-8225.81"), "-8,225.81"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("0"), "0.00"),
    ],
)
def test_money_is_printed_with_thousands_separators_and_two_decimals(amount, printed):
    assert pdf.money(amount) == printed


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://fonts.googleapis.com/css?family=Roboto",
        "ftp://example.com/font.ttf",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "file://example.com/share/font.ttf",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url):
    fetcher = pdf.LocalFileFetcher(pdf.static_root())

    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)


def test_url_fetcher_serves_the_local_fonts():
    root = pdf.static_root()
    fetcher = pdf.LocalFileFetcher(root)

    response = fetcher.fetch((root / "fonts" / "DejaVuSans.ttf").as_uri())

    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font


def test_rendering_fetches_only_local_static_files(statement, monkeypatch):
    # given: no socket may connect, and every fetch is recorded
    def no_network(*args, **kwargs):
        raise AssertionError("a statement PDF tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fetched = []
    fetch = pdf.LocalFileFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(pdf.LocalFileFetcher, "fetch", recording)

    # when: a fresh renderer (the fonts are fetched when it parses its stylesheet)
    content = pdf.StatementRenderer().render(statement)

    # then
    root = pdf.static_root()
    assert content.startswith(b"%PDF-")
    assert fetched
    assert all(Path(url.removeprefix("file://")).is_relative_to(root) for url in fetched)
    assert {Path(url).name for url in fetched} >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}


def test_a_remote_asset_stops_the_rendering_without_a_request(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    renderer = pdf.renderer()
    html = HTML(
        string='<p>x</p><img src="http://example.com/tracker.png">',
        base_url=renderer.base_url,
        url_fetcher=renderer.url_fetcher,
    )

    with pytest.raises(FatalURLFetchingError):
        html.render(font_config=renderer.font_config, stylesheets=renderer.stylesheets)


def test_renderer_is_built_once_per_process():
    first = pdf.renderer()

    assert pdf.renderer() is first
    assert first.stylesheets is pdf.renderer().stylesheets
    assert first.font_config is pdf.renderer().font_config


def test_render_stores_the_pdf_once(statement):
    # when
    rendered = services.statements_render([statement.pk])
    again = services.statements_render([statement.pk])

    # then
    statement.refresh_from_db()
    assert rendered == [statement.pk]
    assert again == []
    assert statement.pdf.name.startswith(f"private/statements/{statement.park_id}/")
    with statement.pdf.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    stored = list((Path(settings.MEDIA_ROOT) / "private" / "statements").rglob("*.pdf"))
    assert len(stored) == 1


def test_email_goes_to_the_owners_only_with_the_pdf_attached_and_once(park, tenant, statement):
    # given: a member of the company and the owner of another company
    factories.MembershipFactory(company=tenant, role=MemberRole.MEMBER, user__email="dev@chenab.pk")
    factories.MembershipFactory(role=MemberRole.OWNER, user__email="owner@other.pk")
    second_owner = factories.MembershipFactory(
        company=tenant, role=MemberRole.OWNER, user__email="cfo@chenab.pk"
    ).user
    services.statements_render([statement.pk])
    statement.refresh_from_db()

    # when
    sent = services.statement_email(statement.pk)
    again = services.statement_email(statement.pk)

    # then
    assert sent == 2
    assert again == 0
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        ["owner@chenab.pk", second_owner.email]
    )
    with statement.pdf.open("rb") as handle:
        stored = handle.read()
    for message in mail.outbox:
        assert statement.number in message.subject
        assert "PKR 24,677.42" in message.body
        ((name, content, mimetype),) = message.attachments
        assert name == f"{statement.number}.pdf"
        assert mimetype == "application/pdf"
        assert content == stored
    statement.refresh_from_db()
    assert statement.emailed_at is not None


def test_email_waits_for_the_pdf(statement):
    assert services.statement_email(statement.pk) == 0
    assert mail.outbox == []
    statement.refresh_from_db()
    assert statement.emailed_at is None
