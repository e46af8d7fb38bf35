"""On a phone (390 px), every section a role has in the navigation can be reached: open the
menu (the control named "Menu", when the layout has one), the section's link is visible, on
screen (not parked beyond the right edge of a row that scrolls sideways) and clickable, and
following it lands on the section's page (issue 12 §2 and §9).

The sections are the project's navigation module's (core/navigation.py) when it exists, and
the desktop navigation must show each of them at 1366 px; without that module they are read
from the desktop navigation itself. Links are found by role and name, never by CSS class."""

from __future__ import annotations

import importlib.util
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .harness import new_context, screenshots_dir, signed_in_state
from .pages import ROLES, resolve, user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390
DESKTOP = 1366
MAIN_NAV = "Main"  # the accessible name of the navigation landmark holding the sections


def module_sections(role) -> list[tuple[str, str]] | None:
    """(label, path) of the role's sections from core.navigation, or None before it exists."""
    if importlib.util.find_spec("core.navigation") is None:
        return None
    from core.navigation import navigation_for

    links = navigation_for(user_of(role), ("", "")).links
    return [(link.label, link.url) for link in links]


def desktop_sections(page) -> list[tuple[str, str]]:
    """(label, path) of the links the main navigation shows at the desktop width."""
    nav = page.get_by_role("navigation", name=MAIN_NAV)
    found = []
    for link in nav.get_by_role("link").filter(visible=True).all():
        label = link.get_attribute("aria-label") or " ".join(link.inner_text().split())
        path = urlsplit(urljoin(page.url, link.get_attribute("href"))).path
        if (label, path) not in found:
            found.append((label, path))
    return found


# No CSS transition or animation still running (an opening menu has come to rest).
SETTLED = "() => document.getAnimations().every((a) => a.playState !== 'running')"


def menu_control(page):
    """The control that opens the phone menu: a button named "Menu" (a link so named is
    accepted too: an <a href="#nav"> fallback that works without JavaScript)."""
    named = page.get_by_role("button", name="Menu", exact=True).or_(
        page.get_by_role("link", name="Menu", exact=True)
    )
    return named.filter(visible=True)


def unreachable(page, base: str, start: str, label: str, path: str, shot=None) -> str | None:
    """Why the section cannot be reached from ``start`` on the phone, or None. ``shot``: a
    file for a screenshot of the screen with the menu open."""
    page.goto(base + start)
    menu = menu_control(page)
    if menu.count():
        menu.first.click()
    link = (
        page.get_by_role("navigation", name=MAIN_NAV)
        .get_by_role("link", name=label, exact=True)
        .filter(visible=True)
    )
    try:
        link.first.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeoutError:
        opened = "after opening the menu" if menu.count() else "and there is no Menu button"
        return f"no visible link {label!r} in the {MAIN_NAV} navigation {opened}"
    # An off-canvas panel slides in: measure where the link rests, not where it passes.
    page.wait_for_function(SETTLED)
    if shot is not None:
        page.screenshot(path=shot)
    box = link.first.bounding_box()
    screen = page.evaluate("document.documentElement.clientWidth")
    if box is None or box["x"] < 0 or box["x"] + box["width"] > screen + 1:
        where = "nowhere" if box is None else f"at x={box['x']:.0f}-{box['x'] + box['width']:.0f}"
        return f"link {label!r} is off screen ({where}, screen {screen}px wide)"
    with page.expect_navigation() as landed:
        link.first.click()
    response = landed.value
    if urlsplit(page.url).path != path or response is None or response.status != 200:
        status = response.status if response else "nothing"
        return f"{label!r} led to {urlsplit(page.url).path} ({status}), not {path}"
    return None


def menu_shot(folder, number: int):
    """The phone's screen with its menu open, once per role, for the reviewer."""
    return folder / f"menu-{PHONE}.png" if number == 0 else None


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.key)
def test_every_navigation_section_is_reachable_on_a_phone(browser, demo, role):
    state = signed_in_state(browser, demo, role.username)
    start = resolve(role)[0][1]  # the role's first page: its dashboard, or the home page

    context = new_context(browser, DESKTOP, state)
    page = context.new_page()
    page.goto(demo + start)
    shown = desktop_sections(page)
    context.close()
    sections = module_sections(role)
    if sections is None:
        sections = shown
    else:
        missing = [section for section in sections if section not in shown]
        assert not missing, f"desktop navigation at {DESKTOP}px misses {missing} as {role.key}"
    assert sections, f"no navigation sections found for {role.key}"

    context = new_context(browser, PHONE, state)
    page = context.new_page()
    folder = screenshots_dir() / role.key
    folder.mkdir(parents=True, exist_ok=True)
    problems = [
        f"{label} ({path}): {why}"
        for number, (label, path) in enumerate(sections)
        if (why := unreachable(page, demo, start, label, path, menu_shot(folder, number)))
    ]
    context.close()
    assert not problems, f"sections {role.key} cannot reach at {PHONE}px:\n" + "\n".join(problems)


def test_an_off_screen_link_is_caught(browser):
    """The check fails where issue 12 saw it fail: links in a row that scrolls sideways."""
    context = new_context(browser, PHONE)
    page = context.new_page()
    page.route(
        "http://portal.test/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<meta name="viewport" content="width=device-width">'
            '<nav aria-label="Main"><div style="display:flex;overflow-x:auto;white-space:nowrap">'
            + "".join(f'<a href="/s{i}/" style="padding:0 60px">Section {i}</a>' for i in range(6))
            + "</div></nav>",
        ),
    )
    assert unreachable(page, "http://portal.test", "/", "Section 0", "/s0/") is None
    problem = unreachable(page, "http://portal.test", "/", "Section 5", "/s5/")
    context.close()
    assert problem is not None
    assert "off screen" in problem
