from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Each app states its rules in its permissions module (``@rule("action")``); load
        # them all so has_permission answers for any action wherever it is asked first.
        autodiscover_modules("permissions")
