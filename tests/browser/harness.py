"""What the page-inventory tests do on each page: sign in once per role, screenshot, measure
sideways overflow, run axe-core. Kept apart from the tests so a new check is added once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .pages import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Impacts that fail a page; "moderate" and "minor" are reported by axe but left to review.
BLOCKING_IMPACTS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa"]
TIMEOUT_MS = 20_000


def screenshots_dir() -> Path:
    """STP_SCREENSHOTS_DIR, else test-output/screenshots in the project (git-ignored)."""
    configured = os.environ.get("STP_SCREENSHOTS_DIR")
    return Path(configured) if configured else ROOT / "test-output" / "screenshots"


def context_options(width: int) -> dict:
    """A phone at 390 (touch, mobile viewport rules, overlay scroll bars), a tablet at 768,
    a laptop at 1366. Scale 1 keeps full-page screenshots of long pages small."""
    options: dict = {"viewport": {"width": width, "height": 844 if width < 500 else 900}}
    if width < 500:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=1)
    return options


def new_context(browser, width: int, storage_state=None):
    context = browser.new_context(**context_options(width), storage_state=storage_state)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def signed_in_state(browser, base: str, username: str | None):
    """The cookies of one sign-in, shared by the role's contexts at every width (one sign-in
    per role keeps the sign-in rate limit and the run time out of the picture)."""
    if username is None:
        return None
    context = new_context(browser, 1366)
    page = context.new_page()
    sign_in(page, base, username)
    state = context.storage_state()
    context.close()
    return state


# Sideways overflow: the document is wider than its viewport (clientWidth: the layout
# viewport without a classic scroll bar, so a bar never hides a few pixels of overflow).
# When it is, name the widest culprits: elements whose right edge passes the viewport and
# that no scrolling or clipping ancestor holds in (those scroll inside their own area, as
# wide tables should), fixed ones aside (an off-canvas menu parked off-screen scrolls nothing).
OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const held = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.position === 'fixed') return true;
      const clips = style.overflowX !== 'visible';
      if (clips && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) name += '.' + classes.join('.');
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return name + (text ? ` "${text.slice(0, 40)}"` : '');
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    if (getComputedStyle(el).position === 'fixed' || held(el)) continue;
    culprits.push({el: describe(el), right: Math.round(box.right), width: Math.round(box.width)});
  }
  culprits.sort((a, b) => b.width - a.width || b.right - a.right);
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 3)};
}
"""


def overflow(page) -> str | None:
    """None when the page fits its width, else what is too wide and by how much."""
    found = page.evaluate(OVERFLOW_JS)
    if found is None:
        return None
    culprits = "; ".join(
        f"{c['el']} (right edge {c['right']}px, {c['width']}px wide)" for c in found["culprits"]
    )
    return (
        f"scrolls sideways: document {found['scrollWidth']}px wide in a "
        f"{found['clientWidth']}px viewport; widest: {culprits or 'none named'}"
    )


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    count: int

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3]) + (" ..." if self.count > 3 else "")
        return f"{self.rule} ({self.impact}, {self.count}x: {self.help}) at {shown}"


_AXE_SOURCE: str | None = None


def axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE.read_text(encoding="utf-8")
    return _AXE_SOURCE


# axe-core goes in through the DevTools protocol (page.evaluate), which the page's
# Content-Security-Policy does not govern: add_script_tag() would write an inline <script>
# that script-src 'self' refuses, and bypassing the CSP would test another page than the
# one users get.
RUN_AXE_JS = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact || 'unknown', help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}
"""


def axe_violations(page) -> list[Violation]:
    """The page's WCAG 2 A and AA violations of serious or critical impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN_AXE_JS, AXE_TAGS)
    return [
        Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"]), len(v["targets"]))
        for v in found
        if v["impact"] in BLOCKING_IMPACTS
    ]
