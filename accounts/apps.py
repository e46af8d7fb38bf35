from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Connects the sign-in receiver that starts a session's idle clock.
        from . import middleware  # noqa: F401
