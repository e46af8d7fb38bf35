"""A deep page by number reads the same rows as Django's paginator, taking only ids to the
offset (``core.paging``, issue 9)."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core.paging import IdsFirstPaginator
from tenants.models import Application
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications():
    rows = [ApplicationFactory() for _ in range(11)]
    Application.objects.filter(pk__in=[a.pk for a in rows[2:7]]).update(seats=3)
    return rows


@pytest.mark.parametrize(
    "order", [("-created_at", "-pk"), ("seats", "pk"), (F("seats").desc(), "-pk")]
)
@pytest.mark.parametrize("per_page", [1, 4, 5])
def test_every_page_holds_the_rows_djangos_paginator_gives(applications, order, per_page):
    rows = Application.objects.select_related("company").annotate(s=F("seats")).order_by(*order)
    ours, django = (
        IdsFirstPaginator(rows, per_page, orphans=1),
        Paginator(rows, per_page, orphans=1),
    )
    assert ours.num_pages == django.num_pages
    for number in django.page_range:
        assert [a.pk for a in ours.page(number)] == [a.pk for a in django.page(number)]
        assert all(a.s == a.seats for a in ours.page(number))


def test_a_deep_page_reads_whole_rows_by_id_not_by_offset(applications):
    rows = Application.objects.select_related("company", "park").order_by("-created_at", "-pk")
    paginator = IdsFirstPaginator(rows, 3)
    paginator.count  # noqa: B018 - counted before, as a list page does
    with CaptureQueriesContext(connection) as queries:
        page = list(paginator.page(3))
    assert len(page) == 3
    (ids, whole) = [q["sql"] for q in queries]
    assert "OFFSET" in ids.upper()
    assert "tenants_company" not in ids  # no join for the ids
    assert "OFFSET" not in whole.upper()
