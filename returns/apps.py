from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """Quarterly progress returns (domain.md §4a): what each company that held a lease in a
    park in a quarter reports about its jobs, women's work and exports.

    Above tenants (it reads leases and companies), below subsidies and reports.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "returns"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # The "file_return" rule registers itself with core.permissions when imported.
        from . import permissions  # noqa: F401

        post_migrate.connect(_complete_calendar, sender=self)


def _complete_calendar(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """After every migrate, and every flush (tests), the stored calendar is whole again."""
    from django.db import connections

    from .models import Quarter
    from .quarters import add_missing_quarters

    # Not when the app's tables are gone (migrated back to zero).
    if Quarter._meta.db_table in connections[using].introspection.table_names():
        add_missing_quarters(Quarter, using)
