import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from core.vocabulary import Role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-pass-2026"


def test_creates_pseb_staff_who_may_use_the_admin():
    call_command("add_staff_user", "amina", "--password", PASSWORD, "--role", "pseb")
    user = User.objects.get(username="amina")
    assert user.role == Role.PSEB
    assert user.is_staff
    assert user.check_password(PASSWORD)


def test_creates_a_park_manager_of_several_parks(park, other_park):
    call_command(
        "add_staff_user",
        "imran",
        "--password",
        PASSWORD,
        "--role",
        "park_manager",
        "--park",
        "GUJ",
        "--park",
        "glt",
    )
    user = User.objects.get(username="imran")
    assert user.role == Role.PARK_MANAGER
    assert not user.is_staff
    assert set(user.managed_parks.values_list("code", flat=True)) == {"GUJ", "GLT"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "park_manager"], "needs at least one --park"),
        (["--role", "park_manager", "--park", "XYZ"], "No park with code XYZ"),
        (["--role", "pseb", "--park", "GUJ"], "--park is for managers"),
    ],
)
def test_bad_input_answers_a_clear_message_and_creates_nobody(park, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_staff_user", "someone", "--password", PASSWORD, *args)
    assert not User.objects.filter(username="someone").exists()


def test_weak_passwords_and_taken_usernames_are_refused(park):
    with pytest.raises(CommandError, match=r"too common|too short"):
        call_command("add_staff_user", "weak", "--password", "password", "--role", "pseb")
    call_command("add_staff_user", "taken", "--password", PASSWORD, "--role", "pseb")
    with pytest.raises(CommandError, match="taken"):
        call_command("add_staff_user", "TAKEN", "--password", PASSWORD, "--role", "pseb")


def test_only_pseb_staff_may_hold_admin_flags_whatever_writes_the_row():
    from django.db import IntegrityError, transaction

    from tests.factories import UserFactory

    for flags in ({"is_staff": True}, {"is_superuser": True}):
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(role=Role.PARK_MANAGER, **flags)


def test_createsuperuser_makes_a_pseb_staff_account():
    User.objects.create_superuser("root", "root@example.pk", PASSWORD)
    assert User.objects.get(username="root").role == Role.PSEB
