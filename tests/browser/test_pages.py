"""Every role's main pages (tests/browser/pages.py) at a phone's, a tablet's and a laptop's
width: each answers 200, is saved as a full-page screenshot for review
(``$STP_SCREENSHOTS_DIR/<role>/<page>-<width>.png``), never scrolls sideways, and axe-core
finds no serious or critical WCAG 2 A/AA violation on it (issue 12 §9).

One browser and one context per width for a role, pages in sequence; one test per role so
pytest-xdist spreads the roles. Every problem of every page is gathered before failing, so
one run lists them all. Beside the screenshots, ``index.md`` lists each page's length in
screens at each width (issue 12 §2: no page should need more than about three on a phone)
and what was found, for the reviewer."""

import time
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


def check_page(page, url: str, shot) -> tuple[list[str], int]:
    """What is wrong with one page at the context's width (empty when nothing), and its
    length in CSS pixels."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"answered {response.status if response else 'nothing'}"], 0
    page.screenshot(path=shot, full_page=True)
    problems = []
    if wide := overflow(page):
        problems.append(wide)
    problems.extend(f"axe: {violation}" for violation in axe_violations(page))
    return problems, page.evaluate("document.documentElement.scrollHeight")


def write_index(folder, role, rows, report, seconds: float) -> None:
    """``index.md`` beside the role's screenshots: each page's length in screens per width."""
    lines = [
        f"# {role.key} ({role.username or 'not signed in'}): {len(rows)} pages, {seconds:.0f} s",
        "",
        "| page | path | " + " | ".join(f"{w} px (screens)" for w in WIDTHS) + " |",
        "|---|---|" + "---|" * len(WIDTHS),
    ]
    for (key, path), heights in rows.items():
        cells = [f"[{h} px, {screens:.1f}]({key}-{w}.png)" for w, h, screens in heights]
        lines.append(f"| {key} | `{path}` | " + " | ".join(cells) + " |")
    lines += ["", "## Problems", ""] + [f"- {line}" for line in report or ["none"]]
    (folder / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.key)
def test_main_pages_fit_every_width_and_pass_axe(browser, demo, role):
    pages = resolve(role)
    state = signed_in_state(browser, demo, role.username)
    folder = screenshots_dir() / role.key
    folder.mkdir(parents=True, exist_ok=True)
    # (page, problem) -> the widths it shows at: a violation seen at all three is one line.
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    lengths: dict[tuple[str, str], list[tuple[int, int, float]]] = defaultdict(list)
    script_errors: list[str] = []
    started = time.monotonic()
    for width in WIDTHS:
        context = new_context(browser, width, state)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        screen = page.viewport_size["height"]
        for key, path in pages:
            where = f"{key} {demo}{path}"
            problems, height = check_page(page, demo + path, folder / f"{key}-{width}.png")
            lengths[(key, path)].append((width, height, height / screen))
            for problem in problems:
                found[(where, problem)].append(width)
            for error in script_errors:
                found[(where, f"script error: {error}")].append(width)
            script_errors.clear()
        context.close()
    report = [f"{where} @{widths}: {problem}" for (where, problem), widths in found.items()]
    write_index(folder, role, lengths, report, time.monotonic() - started)
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
