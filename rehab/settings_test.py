"""Test settings: only what the suite needs differs from production settings."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-check")
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "mandatory")

from rehab.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; the Celery integration tests switch this off and
# use a real worker on the real broker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "login": "1000/min",
    "register": "1000/min",
    "logs": "1000/min",
}
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]
# One process: counters in memory (the Redis cache is tested against a real server).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["axes.W001"]  # axes warns about LocMem, rightly, outside tests
# The tests for it switch the requirement on.
PHYSIO_MFA_REQUIRED = False
