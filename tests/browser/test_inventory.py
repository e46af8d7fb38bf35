"""The page inventory resolves on the demo without a browser: every role's pages by URL
name, with objects the role may see, so a renamed URL or a demo that no longer holds an
object fails here first (and where Chromium is missing too)."""

import pytest
from django.test import Client

from accounts.models import User
from core.vocabulary import Role
from stp_portal.demo import seed_demo

from .pages import ROLES, InventoryError, resolve, user_of

pytestmark = pytest.mark.django_db


def test_every_role_page_resolves_to_a_page_the_role_may_open():
    seed_demo()
    for role in ROLES:
        client = Client()
        if role.signed_in:
            client.force_login(user_of(role))
        paths = resolve(role)
        assert len({key for key, _ in paths}) == len(paths), f"{role.key}: a key twice"
        for key, path in paths:
            # no redirect followed: a page that sends the role elsewhere is not its page
            status = client.get(path).status_code
            assert status == 200, f"{role.key} {key} {path}: {status}"


def test_a_page_without_its_object_is_an_inventory_error_not_a_skip():
    # No demo: the pseb user is there, but no park, application or lease for their pages.
    User.objects.create_user("pseb", role=Role.PSEB, is_staff=True)
    with pytest.raises(InventoryError, match="no object for 'park' \\(parks:detail\\) as pseb"):
        resolve(next(role for role in ROLES if role.key == "pseb"))
