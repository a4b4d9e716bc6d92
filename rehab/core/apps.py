from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_site(sender, using="default", **kwargs) -> None:
    from rehab.core.services import site_sync

    site_sync(using=using)


class CoreConfig(AppConfig):
    name = "rehab.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # After the sites app made its default row ("example.com"), name it after SITE_URL.
        post_migrate.connect(_sync_site, sender=self, dispatch_uid="rehab.core.sync_site")
        # The request id travels into the Celery tasks a request enqueues.
        from rehab.core import tracing

        tracing.connect()
