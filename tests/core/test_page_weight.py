"""Page weight (issue 12, quality bars): the CSS and JS every page loads through base.html,
gzip-compressed as the server sends them, stay under 300 KB. Read from the rendered layout's
own <link>/<script> tags, so an asset added to base.html counts. docs/performance.md
("Page weight") prints the figures: `pytest tests/core/test_page_weight.py -s`."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db

BUDGET = 300 * 1024


def assets_of(page: str) -> list[str]:
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    srcs = re.findall(r'<script src="([^"]+)"', page)
    return hrefs + srcs


def gzip_size(url: str) -> int:
    prefix = static("")
    path = finders.find(url.removeprefix(prefix))
    assert path, url
    with open(path, "rb") as asset:
        return len(gzip.compress(asset.read(), compresslevel=9))


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_layouts_css_and_js_are_under_300_kb_compressed(client, company_user, signed_in):
    if signed_in:
        client.force_login(company_user)
    page = client.get("/parks/").content.decode()
    assets = assets_of(page)
    assert any(a.endswith("tabler.min.css") for a in assets)
    assert any(a.endswith("tabler.min.js") for a in assets)
    sizes = {url: gzip_size(url) for url in assets}
    for url, size in sizes.items():
        print(f"{size / 1024:7.1f} KB  {url}")
    print(f"{sum(sizes.values()) / 1024:7.1f} KB  in all (gzip -9)")
    assert sum(sizes.values()) < BUDGET
