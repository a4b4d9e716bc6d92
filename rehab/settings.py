"""Settings for the hip-abductor rehab planner.

One module, driven by environment variables (see the table in README.md).
`settings_test.py` overrides only what the test suite needs.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from rehab.core.config import (
    ConfigError,
    database_config,
    default_site_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
    redis_url,
    site_url,
)
from rehab.notifications.providers import EmailConfigError, email_config
from rehab.notifications.vapid import VapidKeyError
from rehab.notifications.vapid import check_keys as check_vapid_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REHAB_VAR_DIR", str(BASE_DIR / "var")))
# The SQLite file, local mail and beat state live here; create it so a fresh clone works.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", default=False)

_INSECURE_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("DJANGO_SECRET_KEY is not set; it is required when DJANGO_DEBUG is off")
    SECRET_KEY = _INSECURE_KEY
elif not DEBUG and (len(SECRET_KEY) < 32 or SECRET_KEY == _INSECURE_KEY):
    raise ConfigError("DJANGO_SECRET_KEY must be a random string of at least 32 characters")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Links in emails and calendar feeds start here. `make run` sets it from HOST and PORT
# (rehab/stack.py); the default follows them too, so a process started by hand agrees.
SITE_URL = site_url(
    "SITE_URL", default_site_url(env_str("HOST", "127.0.0.1"), env_str("PORT", "8000"))
)

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "knox",  # hashed, expiring API tokens (the model is rehab.accounts.ApiToken)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the app itself, no CDN
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",  # lockout after repeated failed sign-ins
    "anymail",  # email through a provider's API, and its bounce webhooks
    "rehab.core",
    "rehab.accounts",
    "rehab.notifications",
    "programs.content",
    "programs.plans",
    "programs.logbook",
]

MIDDLEWARE = [
    # First: every log line below carries the request id, and the latency covers the rest.
    "rehab.core.middleware.RequestIdMiddleware",
    "rehab.core.middleware.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and auth middleware: it sees every cookie they set and
    # the user the view ended with. Static files (WhiteNoise, above) stay cacheable.
    "rehab.core.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rehab.accounts.middleware.UserPreferencesMiddleware",
    "rehab.accounts.middleware.LastSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "rehab.accounts.middleware.PhysioMfaMiddleware",
    # A view that could not reach Redis (throttles, lockouts) answers 503, not 500.
    "rehab.core.outage.CacheOutageMiddleware",
    # Last: turns a sign-in that django-axes locked out into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rehab.urls"
WSGI_APPLICATION = "rehab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rehab.core.context_processors.navigation",
            ],
            # {% submission_token %} in every form that changes something (rehab.core.submission)
            "builtins": ["rehab.core.templatetags.submission"],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": database_config("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rehab.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery ---------------------------------------------------------
# Without REDIS_URL, `make run` starts an embedded redis-server and passes its URL
# to every process it starts; a bare manage.py falls back to the standard local port.
REDIS_URL = redis_url("REDIS_URL") or "redis://127.0.0.1:6379/0"

CELERY_BROKER_URL = REDIS_URL
# Redelivery after a lost worker happens after this many seconds. It must stay well
# above the task time limit plus the longest retry back-off, or tasks run twice.
CELERY_VISIBILITY_TIMEOUT = 900
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# Early ack by default; tasks that are idempotent by construction opt in to acks_late.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per kind of work, so a flood of emails never delays the weekly evaluation:
# dispatch (beat's dispatchers and sweepers), notify (sending), progression (the plans),
# default (the rest). A worker given no -Q consumes all of them (rehab.stack names them).
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("default", "dispatch", "notify", "progression")
]
CELERY_TASK_ROUTES = {
    "rehab.notifications.tasks.dispatch_due_reminders": {"queue": "dispatch"},
    "rehab.notifications.tasks.sweep_reminders": {"queue": "dispatch"},
    "rehab.notifications.tasks.sweep_outbox": {"queue": "dispatch"},
    "rehab.notifications.tasks.send_due_reminders": {"queue": "notify"},
    "rehab.notifications.tasks.send_reminder": {"queue": "notify"},
    "rehab.notifications.tasks.deliver_email": {"queue": "notify"},
    "programs.logbook.tasks.send_alert_digests": {"queue": "dispatch"},
    "programs.logbook.tasks.*": {"queue": "progression"},
}
# Task events (received, started, succeeded, failed; "sent" from the publisher), for
# `celery events`, Flower or an exporter.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
# Beat runs fixed UTC intervals only; per-runner local times are rows in the database.
CELERY_BEAT_SCHEDULE = {
    # The heartbeat /healthz and /metrics read (rehab.core.beat).
    "core-beat-tick": {
        "task": "rehab.core.tasks.beat_tick",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "notifications-dispatch-reminders": {
        "task": "rehab.notifications.tasks.dispatch_due_reminders",
        # Every 5 s: a reminder waits at most that long for its row (an indexed range
        # scan that finds nothing most of the time), and a second beat is harmless. A tick
        # that waits behind a long dispatch expires; one that finds a free process
        # dispatches beside it (SKIP LOCKED keeps them apart).
        "schedule": 5.0,
        "options": {"expires": 4},
    },
    "notifications-sweep-reminders": {
        "task": "rehab.notifications.tasks.sweep_reminders",
        # Every 15 s: rows a killed sender held are sent again within 15 s of their 30 s
        # lease running out, and senders lost with a restarted Redis within 15 s. The
        # sweep is three indexed statements.
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    "logbook-dispatch-progressions": {
        "task": "programs.logbook.tasks.dispatch_due_progressions",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    "notifications-sweep-outbox": {
        "task": "rehab.notifications.tasks.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Each physio's daily alert digest at their local time (one per local day: a unique
    # constraint); the task looks for digests due every 15 minutes.
    "logbook-alert-digests": {
        "task": "programs.logbook.tasks.send_alert_digests",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    "accounts-retention": {
        "task": "rehab.accounts.tasks.retention_sweep",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Idempotency-Keys (API) and form submission tokens (web) live 24 hours.
    "core-purge-request-keys": {
        "task": "rehab.core.tasks.purge_request_keys",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
}

# Throttles, rate limits, lockouts and used one-time codes must be seen by every web
# process alike: they live in Redis, under their own key prefix (Celery's keys have none).
# REDIS_CACHE_URL can point them at a separate instance (an LRU cache beside a
# noeviction broker).
REDIS_CACHE_URL = redis_url("REDIS_CACHE_URL") or REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "rehab-cache",
        "TIMEOUT": 300,
    }
}

# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default):
# the header is ignored and the client is REMOTE_ADDR. The one source for DRF, allauth
# and django-axes (rehab.core.net.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ConfigError("TRUSTED_PROXY_COUNT must be 0 or more")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1  # its domain and name follow SITE_URL (rehab.core.services.site_sync at migrate)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset answer alike whether or not an address has an account; the
# owner is emailed instead. It needs mandatory verification to hold for sign-up.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hip Rehab] "
# Failed sign-ins per account *and* address lock (django-axes, below); allauth adds only a
# per-address ceiling, so nobody can lock an account from everywhere. Password reset requests
# are counted per address and per (address, email) (rehab.accounts.views.PasswordResetView):
# the same for an unknown address as for a known one.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip",
    "reset_password": "20/m/ip,5/15m/key",
}
ACCOUNT_ADAPTER = "rehab.accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {"authenticate": "rehab.accounts.mfa_forms.MfaAuthenticateForm"}
# Physiotherapists see health data: without TOTP they see no runner data (pages, API).
PHYSIO_MFA_REQUIRED = env_bool("PHYSIO_MFA_REQUIRED", default=not DEBUG)

# django-axes: lock one account from one address after repeated failures, on every path
# that authenticates (web login, API token, password checks), state in the shared cache.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() < 60:
    raise ConfigError("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "rehab.core.net.client_ip"
AXES_USERNAME_CALLABLE = "rehab.accounts.lockout.attempted_email"
AXES_LOCKOUT_CALLABLE = "rehab.accounts.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_VERBOSE = False

# API tokens (django-rest-knox): only a hash is stored; a token expires API_TOKEN_TTL_HOURS
# after its last use and API_TOKEN_MAX_AGE_DAYS after it was issued, whatever its use.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations would still create its (swapped-out, unused) token table, with a key
# to the user table that no model knows of; without them no such table exists.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 14 * 24)
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)
if API_TOKEN_TTL_HOURS < 1 or API_TOKEN_MAX_AGE_DAYS < 1:
    raise ConfigError("API_TOKEN_TTL_HOURS and API_TOKEN_MAX_AGE_DAYS must be at least 1")
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": dt.timedelta(days=API_TOKEN_MAX_AGE_DAYS),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}
API_TOKENS_PER_USER = 10  # a new device beyond this signs out the least recently used

# --- Email --------------------------------------------------------------------
# EMAIL_PROVIDER: smtp (the default) or an HTTP API through django-anymail, with its key
# and webhook secrets from the environment (rehab/notifications/providers.py, README).
try:
    _email = email_config(env_str, debug=DEBUG)
except EmailConfigError as exc:
    raise ConfigError(str(exc)) from None
EMAIL_PROVIDER = _email.provider
EMAIL_BACKEND = _email.backend
ANYMAIL = _email.anymail
# The providers whose bounce and complaint webhooks answer under /anymail/.
EMAIL_WEBHOOK_PROVIDERS = _email.webhook_providers
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hip Rehab <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Web Push (reminders on a device; rehab/notifications/push.py) --------------
# The VAPID key pair (base64url: the raw private scalar, the uncompressed public point)
# and the contact the push services see. `make run` makes a pair in var/vapid.json when
# none is set; without keys the push channel is off (nothing is offered or sent).
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY").strip()
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY").strip()
if bool(VAPID_PRIVATE_KEY) != bool(VAPID_PUBLIC_KEY):
    raise ConfigError("VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY must be set together")
if VAPID_PRIVATE_KEY:
    try:
        check_vapid_keys(VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY)
    except VapidKeyError as exc:
        raise ConfigError(str(exc)) from None
VAPID_SUBJECT = env_str("VAPID_SUBJECT") or "mailto:" + (
    parseaddr(DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
)
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ConfigError("VAPID_SUBJECT must be a mailto: or https:// URL")
# How long a push service keeps an undelivered reminder for an offline device (seconds).
WEBPUSH_TTL = env_int("WEBPUSH_TTL", 3 * 3600)
WEBPUSH_TIMEOUT = 10
# Push endpoints on loopback or private addresses, or over plain HTTP, are refused
# (a subscription must not make the worker call into the local network); tests that run
# their own push receiver on 127.0.0.1 switch this on.
WEBPUSH_ALLOW_LOCAL_ENDPOINTS = False

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Uploads (watch files, #15) -------------------------------------------------
# Form fields other than files stay at Django's 2.5 MB; files over 2.5 MB go to a temporary
# file, never to memory. A watch file over RUN_IMPORT_MAX_FILE_BYTES is refused before it is
# parsed; a request carrying more than RUN_IMPORT_MAX_FILES files, or larger than what those
# could weigh together, is refused before its files are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
RUN_IMPORT_MAX_FILE_BYTES = 20 * 1024 * 1024
RUN_IMPORT_MAX_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FILES = RUN_IMPORT_MAX_FILES
RUN_IMPORT_MAX_REQUEST_BYTES = RUN_IMPORT_MAX_FILES * RUN_IMPORT_MAX_FILE_BYTES + 1024 * 1024
# Any body declared larger than this is refused (400) before it is read (rehab.core.uploads).
UPLOAD_MAX_REQUEST_BYTES = RUN_IMPORT_MAX_REQUEST_BYTES
FILE_UPLOAD_HANDLERS = [
    "rehab.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rehab.accounts.authentication.ApiTokenAuthentication",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rehab.core.api.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "rehab.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "rehab.core.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "register": env_str("THROTTLE_REGISTER", "5/min"),
        "logs": env_str("THROTTLE_LOGS", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hip Rehab Planner API",
    "DESCRIPTION": "Progressive hip-abductor rehabilitation for runners with lateral hip pain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "programs.plans.models.Plan.Status",
        "DecisionStatusEnum": "programs.plans.models.Decision.Status",
        "CareLinkStatusEnum": "rehab.accounts.models.CareLink.Status",
        "RunSourceEnum": "programs.logbook.models.RunLog.Source",
        "SourceEnum": "programs.logbook.models.Referral.Source",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rehab.api.error_responses_hook",
    ],
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only outside DEBUG. Behind a proxy that terminates TLS (and redirects to HTTPS
# itself), set DJANGO_SECURE_SSL_REDIRECT=0 and name the header it sets.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0
)
# The preload directive only allows a submission to the browsers' list; it submits nothing.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS >= 31536000)
SECURE_SSL_REDIRECT = env_bool(
    "DJANGO_SECURE_SSL_REDIRECT", default=env_bool("DJANGO_SSL_REDIRECT", default=not DEBUG)
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes inside the cluster may speak plain HTTP
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(
    "DJANGO_SECURE_PROXY_SSL_HEADER",
    default="X-Forwarded-Proto=https" if env_bool("DJANGO_BEHIND_TLS_PROXY") else "",
)
SILENCED_SYSTEM_CHECKS: list[str] = []
if SECURE_PROXY_SSL_HEADER and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")  # the proxy redirects to HTTPS

# Content Security Policy: everything from this origin, nothing inline without a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# JSON lines (rehab.core.logging.JsonFormatter) outside DEBUG or with LOG_FORMAT=json;
# LOG_FORMAT=plain keeps the readable format in production too.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json").lower()
if LOG_FORMAT not in ("json", "plain"):
    raise ConfigError("LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "rehab.core.logging.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "rehab.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Product ------------------------------------------------------------------
PRIVACY_NOTICE_VERSION = "2026-11"
# Data retention (rehab/accounts/retention.py): accounts unused this many months are
# warned by email, and erased when still unused this many days after the email. 0 = off.
RETENTION_INACTIVE_MONTHS = env_int("RETENTION_INACTIVE_MONTHS", 24)
RETENTION_GRACE_DAYS = env_int("RETENTION_GRACE_DAYS", 30)
if RETENTION_INACTIVE_MONTHS < 0 or RETENTION_GRACE_DAYS < 1:
    raise ConfigError("RETENTION_INACTIVE_MONTHS must be 0 or more, RETENTION_GRACE_DAYS 1 or more")
HEALTHZ_WORKER_TIMEOUT = 1.0
# /healthz says "degraded" when beat's last heartbeat is older than this (it ticks each minute).
HEALTHZ_BEAT_MAX_AGE = env_int("HEALTHZ_BEAT_MAX_AGE", 180)
# A reminder whose time passed this long ago without being dispatched counts as overdue.
REMINDER_OVERDUE_AFTER = 300

# --- Observability ------------------------------------------------------------------
# GET /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset: 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Errors to Sentry only when SENTRY_DSN is set, through a scrubber that removes health data.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from rehab.core.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=env_str("SENTRY_TRACES_SAMPLE_RATE", "0"),
    )
# Reminder kind -> "dotted.path(user=, local_date=) -> bool": whether it has anything to say
# that day. A kind without an entry is always sent.
REMINDER_RELEVANCE: dict[str, str] = {"session": "programs.plans.selectors.has_session_on"}
ACCOUNT_SIGNUP_FORM_CLASS = "rehab.accounts.forms.SignupForm"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now; silences the transition warning
# Checks that refuse API access to runner data (rehab.core.api reads them; each takes the
# user and answers True to refuse): a physiotherapist without two-factor authentication.
API_ACCESS_GATES: list[str] = ["rehab.accounts.middleware.physio_needs_mfa"]
# Whether a template slug is one a plan can start from (an invitation's suggestion): the
# accounts layer sits below the content library, so it asks through this setting.
TEMPLATE_STARTABLE = "programs.content.selectors.template_is_startable"
