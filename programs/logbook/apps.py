from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogbookConfig(AppConfig):
    name = "programs.logbook"
    label = "logbook"
    verbose_name = _("Logbook")

    def ready(self) -> None:
        from programs.logbook.metrics import register

        register()
