import os

from celery import Celery
from kombu import pools as kombu_pools

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


def release_connections_before_fork() -> None:
    """Close every connection this process holds (broker pools, database, cache) so that a
    process forked next shares no socket with it: a child that used the parent's broker
    socket would read the parent's replies, or wait for ever on one neither sends.

    Call it right before os.fork / multiprocessing's "fork" start method; each side opens
    fresh connections when it next needs one.
    """
    from django.core.cache import caches
    from django.db import connections

    pool = app._pool
    if pool is not None:
        pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")  # only once the app has made it
    if amqp is not None:
        amqp._producer_pool = None
    kombu_pools.reset()  # the producer pools kombu keeps per connection, closed and forgotten
    connections.close_all()
    caches.close_all()
