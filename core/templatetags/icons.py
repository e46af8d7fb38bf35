"""``{% icon "name" %}``: one Tabler icon from the vendored sprite (tools/vendor.toml lists
the icons the sprite holds; add a name there and run ``make vendor``)."""

from __future__ import annotations

import re
from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

SPRITE = "vendor/tabler-icons/sprite.svg"


@cache
def sprite_ids() -> frozenset[str]:
    """The symbol ids of the sprite, read once."""
    path = finders.find(SPRITE)
    if not path:
        return frozenset()
    with open(path, encoding="utf-8") as sprite:
        return frozenset(re.findall(r'<symbol id="([^"]+)"', sprite.read()))


class UnknownIcon(template.TemplateSyntaxError):
    pass


def check_icon(name: str) -> None:
    """A typo is an error where it can be caught (DEBUG, tests); in production a missing icon
    is only a blank square, never a broken page."""
    if getattr(settings, "ICONS_STRICT", settings.DEBUG) and name not in sprite_ids():
        raise UnknownIcon(
            f"No icon {name!r} in {SPRITE}: add it to tools/vendor.toml and run `make vendor`."
        )


@register.simple_tag
def icon(name: str, css: str = "") -> SafeString:
    check_icon(name)
    classes = f"icon {css}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false" width="24" height="24">'
        '<use href="{}#{}"></use></svg>',
        classes,
        static(SPRITE),
        name,
    )
