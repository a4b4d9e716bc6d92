import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")

app = Celery("rehab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _set_visibility_timeout_everywhere(sender, **kwargs):
    """The visibility timeout must be set in all three places or Redis redelivers after 1 h."""
    timeout = sender.conf.broker_transport_options.get("visibility_timeout", 900)
    sender.conf.result_backend_transport_options = {"visibility_timeout": timeout}
    sender.conf.visibility_timeout = timeout
