from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Programme reports (domain.md §7): the figures PSEB answers to government with.

    The top layer: it reads parks, tenants and subsidies and nothing imports it back.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
