"""Every role's main pages (tests/browser/pages.py) at a phone's, a tablet's and a laptop's
width: each answers 200, is saved as a full-page screenshot for review
(``$STP_SCREENSHOTS_DIR/<role>/<page>-<width>.png``), never scrolls sideways, and axe-core
finds no serious or critical WCAG 2 A/AA violation on it (issue 12 §9).

One browser and one context per width for a role, pages in sequence; one test per role so
pytest-xdist spreads the roles. Every problem of every page is gathered before failing, so
one run lists them all."""

from collections import defaultdict

import pytest

from .harness import (
    axe_violations,
    new_context,
    overflow,
    screenshots_dir,
    signed_in_state,
)
from .pages import ROLES, WIDTHS, resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_page(page, url: str, shot) -> list[str]:
    """What is wrong with one page at the context's width (empty when nothing)."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"answered {response.status if response else 'nothing'}"]
    page.screenshot(path=shot, full_page=True)
    problems = []
    if wide := overflow(page):
        problems.append(wide)
    problems.extend(f"axe: {violation}" for violation in axe_violations(page))
    return problems


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.key)
def test_main_pages_fit_every_width_and_pass_axe(browser, demo, role):
    pages = resolve(role)
    state = signed_in_state(browser, demo, role.username)
    folder = screenshots_dir() / role.key
    folder.mkdir(parents=True, exist_ok=True)
    # (page, problem) -> the widths it shows at: a violation seen at all three is one line.
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    script_errors: list[str] = []
    for width in WIDTHS:
        context = new_context(browser, width, state)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        for key, path in pages:
            where = f"{key} {demo}{path}"
            for problem in check_page(page, demo + path, folder / f"{key}-{width}.png"):
                found[(where, problem)].append(width)
            for error in script_errors:
                found[(where, f"script error: {error}")].append(width)
            script_errors.clear()
        context.close()
    report = [f"{where} @{widths}: {problem}" for (where, problem), widths in found.items()]
    assert not report, f"{len(report)} problem(s) as {role.key}:\n" + "\n".join(report)


def test_the_checks_catch_a_page_too_wide_and_an_image_without_text(browser):
    """The harness can fail: a fixed-width banner overflows the phone, and axe reports an
    image link with no text (serious); a wide table in its own scrolling area is not blamed."""
    context = new_context(browser, 390)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><head><meta name="viewport" content="width=device-width"><title>t</title>'
        '</head><body><main><div style="overflow-x:auto"><table style="width:900px"><tr><td>'
        'wide</td></tr></table></div><div id="banner" style="width:700px">banner</div>'
        '<a href="/x"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></a>'
        "</main></body></html>"
    )
    wide = overflow(page)
    violations = axe_violations(page)
    context.close()
    assert wide is not None
    assert 'div#banner "banner"' in wide
    assert "table" not in wide
    assert {v.rule for v in violations} >= {"link-name"}
