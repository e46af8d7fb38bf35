"""{% icon %}: a Tabler icon from the vendored sprite; a name the sprite lacks fails loudly in
development and tests (a typo), never in production."""

import pytest
from django.template import Context, Template
from django.test import override_settings

from core.templatetags.icons import UnknownIcon, sprite_ids


def render(source: str) -> str:
    return Template("{% load icons %}" + source).render(Context())


def test_an_icon_is_a_hidden_svg_using_the_sprite():
    html = render('{% icon "receipt" %}')
    assert html.startswith('<svg class="icon" aria-hidden="true" focusable="false"')
    assert '<use href="/static/vendor/tabler-icons/sprite.svg#receipt"></use>' in html


def test_every_icon_the_navigation_uses_is_in_the_sprite():
    from core.navigation import SECTIONS

    assert {section.icon for section in SECTIONS} <= sprite_ids()


@override_settings(ICONS_STRICT=True)
def test_an_unknown_icon_raises_where_typos_are_caught():
    with pytest.raises(UnknownIcon, match="make vendor"):
        render('{% icon "reciept" %}')


@override_settings(ICONS_STRICT=False)
def test_an_unknown_icon_is_only_blank_in_production():
    assert "#reciept" in render('{% icon "reciept" %}')
