from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "rehab.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from anymail.signals import tracking

        from rehab.notifications.webhooks import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="rehab-email-suppression")
        from rehab.notifications.metrics import register

        register()
