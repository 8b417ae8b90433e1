"""Settings for Một Cửa: one module; everything that differs between machines comes from the
environment (see docs/configuration.md)."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime state (SQLite file, uploaded files) lives under ./var of the working directory by default.
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("MOTCUA_DEBUG", False)
# A fixed development key is acceptable only while DEBUG is on or for the local demo; production
# deployments must set MOTCUA_SECRET_KEY (checked by `motcua check --deploy`).
SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY", "motcua-insecure-demo-key-change-me")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("MOTCUA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "motcua.core",
    "motcua.units",
    "motcua.workcalendar",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.indicators",
    "motcua.scorecard",
    "motcua.reports",
    "motcua.backoffice",
    "motcua.api",
    "motcua.dashboard",
    "motcua.forms",
    "motcua.desk",
    "motcua.portal",
    "motcua.feedback",
    "motcua.digitization",
    "motcua.demo",
    "motcua.interchange",
    "motcua.bench",
    "motcua.notifications",
    "motcua.privacy",
    "django_tasks",
    "django_tasks_db",
    "motcua.payments",
    "motcua.sync",
    # django-ninja's own static files (Swagger UI 5.31.0, Apache-2.0): with the app installed the
    # API docs page loads them from /static/ninja/ instead of a CDN, so it works offline.
    "ninja",
]

MIDDLEWARE = [
    "motcua.core.metrics.MetricsMiddleware",
    "motcua.core.health.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "motcua.api.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.core.twofactor.TwoFactorMiddleware",
    "motcua.core.input_guard.RefuseNulMiddleware",
    "motcua.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "motcua.core.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

# Plain widgets written out in Python, the same markup as Django's templates (core/forms.py).
FORM_RENDERER = "motcua.core.forms.WidgetRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    # Zero set-up: the default SQLite file needs only its folder.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two officers writing at once queue instead of
    # failing half-way; WAL lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# A streaming replica of the primary for the supervisors' figures (core.replica, docs/operations.md
# "Read replicas"): the figures' selectors read there; writes and every other read stay on the
# primary. Unset: everything on the primary.
_replica_url = os.environ.get("MOTCUA_REPLICA_DATABASE_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=60, conn_health_checks=True
    )
    # Tests run against the primary's test database through this alias (no second database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
MOTCUA_FIGURES_DATABASE = "replica" if _replica_url else "default"
DATABASE_ROUTERS = ["motcua.core.replica.FiguresRouter"]

# Django's cache, shared by every gunicorn worker: by default a table of the project's database
# (made by the core app's migration); MOTCUA_CACHE_URL=redis://… moves it to Redis; `locmem` keeps
# it per process. The application keeps nothing there that must be exact: the login throttle and
# the portal's lookup limits are counted in their own table (core.throttle).
_cache_url = os.environ.get("MOTCUA_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
    # Every signed-in request reads its session: from Redis, not a query. Still written through
    # to the database, so a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif _cache_url == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif not _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "motcua_cache",
        }
    }
else:
    raise ImproperlyConfigured(
        "MOTCUA_CACHE_URL phải là redis://…, rediss://…, unix://… hoặc locmem."
    )


def _env_count(name: str, default: int, *, unit: str = "giây") -> int:
    """A whole number ≥ 0 of `unit` (seconds unless told) from the environment."""
    try:
        return max(0, int(os.environ.get(name, str(default))))
    except ValueError:
        raise ImproperlyConfigured(f"{name} phải là một số {unit}.") from None


# How long the dashboard's and the rankings' computed figures are reused (core/figures.py); 0: never.
MOTCUA_FIGURES_CACHE_SECONDS = _env_count("MOTCUA_FIGURES_CACHE_SECONDS", 60)
# How long the public portal's catalogue pages are served as rendered (core/pagecache.py); 0: never.
MOTCUA_PUBLIC_PAGE_CACHE_SECONDS = _env_count("MOTCUA_PUBLIC_PAGE_CACHE_SECONDS", 60)
# How long the API keeps the first answer to an Idempotency-Key (api.services, a daily job).
MOTCUA_IDEMPOTENCY_KEEP_DAYS = _env_count("MOTCUA_IDEMPOTENCY_KEEP_DAYS", 7, unit="ngày")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Strong passwords (Django's validators speak Vietnamese through its own translations; ours too):
# 12 characters at least, three kinds of characters, not like the user's names, not a common one.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "motcua.core.security.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "motcua.core.security.CharacterClassesValidator"},
]

LANGUAGE_CODE = "vi"
# Vietnamese only until an English translation exists: a browser asking for English would otherwise
# get Django's own messages in English inside Vietnamese pages.
LANGUAGES = [("vi", _("Tiếng Việt"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MOTCUA_STATIC_ROOT", VAR_DIR / "static"))
# WhiteNoise serves from the app folders (finders) and warns on every request when this is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:inbox"
LOGOUT_REDIRECT_URL = "backoffice:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
MOTCUA_HTTPS = _env_bool("MOTCUA_HTTPS", False)
SESSION_COOKIE_SECURE = _env_bool(
    "MOTCUA_SECURE_COOKIES", MOTCUA_HTTPS or (not DEBUG and "MOTCUA_SECRET_KEY" in os.environ)
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # URLs carry dossier codes: never sent to other sites
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Served over HTTPS (MOTCUA_HTTPS, behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto): redirect plain HTTP, HSTS for a year. The probes stay on plain HTTP.
if MOTCUA_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("MOTCUA_HSTS_SECONDS", str(365 * 24 * 3600)))
    # The site normally has a host name of its own (dichvucong.<province>.gov.vn): covering the
    # names below it and allowing preload costs nothing; turn off for a shared parent domain.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("MOTCUA_HSTS_PRELOAD", True)

# Working time of the province this deployment serves: "HH:MM-HH:MM" periods, comma separated.
MOTCUA_WORKING_PERIODS = os.environ.get("MOTCUA_WORKING_PERIODS", "07:30-11:30,13:00-17:00")
# Local policy (docs/domain.md §9): whether withdrawn dossiers stay in the counts.
MOTCUA_COUNT_WITHDRAWN = _env_bool("MOTCUA_COUNT_WITHDRAWN", False)
# Form 06's other counting policies (docs/reports.md, "Counting policies"; rebuild the counters after
# changing one): a dossier waiting for a supplement is overdue by its deadline or always within it;
# a stopped one is resolved or still in progress; lateness is judged by moment or by date.
MOTCUA_FORM06_SUPPLEMENT_WAITING = os.environ.get("MOTCUA_FORM06_SUPPLEMENT_WAITING", "by_deadline")
MOTCUA_FORM06_STOPPED = os.environ.get("MOTCUA_FORM06_STOPPED", "resolved")
MOTCUA_FORM06_LATENESS = os.environ.get("MOTCUA_FORM06_LATENESS", "moment")
# `MaCSDL` codes meaning the national population database (scorecard 4.5), comma separated.
if "MOTCUA_POPULATION_DATABASE_CODES" in os.environ:
    MOTCUA_POPULATION_DATABASE_CODES = [
        c.strip() for c in os.environ["MOTCUA_POPULATION_DATABASE_CODES"].split(",") if c.strip()
    ]
# Ranking bands (local policy): JSON [[label, minimum percent], …] from the best band down.
if "MOTCUA_RANKING_BANDS" in os.environ:
    MOTCUA_RANKING_BANDS = json.loads(os.environ["MOTCUA_RANKING_BANDS"])
# Login throttling: failures allowed within 15 minutes per username from one address, per username
# from anywhere, and per client address over all usernames (behind a reverse proxy every client
# shares its address: set the address limit to 0).
MOTCUA_LOGIN_MAX_FAILURES = int(os.environ.get("MOTCUA_LOGIN_MAX_FAILURES", "5"))
MOTCUA_LOGIN_ACCOUNT_MAX_FAILURES = int(os.environ.get("MOTCUA_LOGIN_ACCOUNT_MAX_FAILURES", "10"))
MOTCUA_LOGIN_IP_MAX_FAILURES = int(os.environ.get("MOTCUA_LOGIN_IP_MAX_FAILURES", "50"))
# Upload limits in bytes: portal files, a whole online dossier, desk scans.
MOTCUA_PORTAL_MAX_FILE_BYTES = int(os.environ.get("MOTCUA_PORTAL_MAX_FILE_BYTES", str(10 * 2**20)))
MOTCUA_PORTAL_MAX_DOSSIER_BYTES = int(
    os.environ.get("MOTCUA_PORTAL_MAX_DOSSIER_BYTES", str(30 * 2**20))
)
MOTCUA_SCAN_MAX_BYTES = int(os.environ.get("MOTCUA_SCAN_MAX_BYTES", str(10 * 2**20)))
# The scan check's other bounds (digitization/scans.py): pages of a PDF, pixels of an image.
MOTCUA_SCAN_MAX_PAGES = int(os.environ.get("MOTCUA_SCAN_MAX_PAGES", "200"))
MOTCUA_SCAN_MAX_PIXELS = int(os.environ.get("MOTCUA_SCAN_MAX_PIXELS", "60000000"))
# OCR of scans in the worker (ocrmypdf -l vie --deskew; the optional `ocr` extra). 0 switches it
# off; the seconds one scan may take.
MOTCUA_OCR = os.environ.get("MOTCUA_OCR", "1").strip().lower() not in ("0", "false", "no", "")
MOTCUA_OCR_TIMEOUT = int(os.environ.get("MOTCUA_OCR_TIMEOUT", "900"))
# Days sensitive documents (identity-document images) stay in citizens' document stores.
MOTCUA_STORE_SENSITIVE_RETENTION_DAYS = int(
    os.environ.get("MOTCUA_STORE_SENSITIVE_RETENTION_DAYS", str(5 * 365))
)
# Online payment (docs/payments.md). Secrets are shared with each provider; the defaults only suit
# the stand-in gateway on this machine.
MOTCUA_PAYMENT_GATEWAY_URL = os.environ.get("MOTCUA_PAYMENT_GATEWAY_URL", "http://127.0.0.1:8765")
MOTCUA_PAYMENT_GATEWAY_SECRET = os.environ.get(
    "MOTCUA_PAYMENT_GATEWAY_SECRET", "motcua-standin-gateway-secret"
)
MOTCUA_PAYMENT_NATIONAL_URL = os.environ.get("MOTCUA_PAYMENT_NATIONAL_URL", "http://127.0.0.1:8765")
MOTCUA_PAYMENT_NATIONAL_SECRET = os.environ.get(
    "MOTCUA_PAYMENT_NATIONAL_SECRET", "motcua-standin-national-secret"
)
MOTCUA_PAYMENT_NATIONAL_MERCHANT = os.environ.get("MOTCUA_PAYMENT_NATIONAL_MERCHANT", "MOTCUA")
# This site's public address: where providers send callbacks and the citizen back, and the
# tracking link in every notification.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")
# Minutes an order stays open before a new one is made (a late capture is still accepted).
MOTCUA_PAYMENT_ORDER_MINUTES = int(os.environ.get("MOTCUA_PAYMENT_ORDER_MINUTES", "30"))

# National-portal sync (docs/sync.md): empty URL = off (no outbox rows are written).
MOTCUA_PORTAL_SYNC_URL = os.environ.get("MOTCUA_PORTAL_SYNC_URL", "")
MOTCUA_PORTAL_SYNC_TOKEN = os.environ.get("MOTCUA_PORTAL_SYNC_TOKEN", "")
MOTCUA_PORTAL_SYNC_TIMEOUT = float(os.environ.get("MOTCUA_PORTAL_SYNC_TIMEOUT", "10"))
MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_PORTAL_SYNC_MAX_ATTEMPTS", "8"))
MOTCUA_PORTAL_SYNC_BACKOFF_SECONDS = int(os.environ.get("MOTCUA_PORTAL_SYNC_BACKOFF_SECONDS", "30"))
# Units' signing certificates for electronic results (JSON; see docs/results.md). `motcua demo`
# writes its self-signed demo certificates to the default place.
MOTCUA_SIGNING_CERTIFICATES = Path(
    os.environ.get("MOTCUA_SIGNING_CERTIFICATES", VAR_DIR / "signing" / "certificates.json")
)
# Largest PDF the public verification page accepts (bytes), enforced while the upload streams in.
MOTCUA_VERIFY_MAX_BYTES = int(os.environ.get("MOTCUA_VERIFY_MAX_BYTES", str(20 * 2**20)))
# Valid files of a failed online filing round are kept this long (portal/held.py).
MOTCUA_PORTAL_HELD_SECONDS = int(os.environ.get("MOTCUA_PORTAL_HELD_SECONDS", "3600"))
# TOTP two-factor login for administrators and leaders (core.twofactor); off only for tests and a
# demo on one's own machine.
MOTCUA_TWO_FACTOR = _env_bool("MOTCUA_TWO_FACTOR", True)
# Wrong two-factor codes: allowed per account from one address and per account from anywhere
# within the window, before a lock (core/twofactor.py); 0 turns a limit off.
MOTCUA_TWO_FACTOR_MAX_FAILURES = int(os.environ.get("MOTCUA_TWO_FACTOR_MAX_FAILURES", "5"))
MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES = int(
    os.environ.get("MOTCUA_TWO_FACTOR_ACCOUNT_MAX_FAILURES", "10")
)
MOTCUA_TWO_FACTOR_WINDOW_SECONDS = int(os.environ.get("MOTCUA_TWO_FACTOR_WINDOW_SECONDS", "900"))
MOTCUA_TWO_FACTOR_LOCKOUT_SECONDS = int(os.environ.get("MOTCUA_TWO_FACTOR_LOCKOUT_SECONDS", "900"))
# Key of the event log's signed checkpoints (`motcua audit checkpoint|verify`, docs/operations.md):
# a long random value kept outside the database; without it no checkpoint is made or checked.
MOTCUA_AUDIT_KEY = os.environ.get("MOTCUA_AUDIT_KEY", "")
# Country whose public holidays the `holidays` package supplies.
MOTCUA_HOLIDAY_COUNTRY = os.environ.get("MOTCUA_HOLIDAY_COUNTRY", "VN")

# Background tasks (Django's tasks API, django-tasks backport): `database` queues them in the
# project's database for `motcua worker`; `immediate` runs each where it is enqueued (no worker).
_tasks_backend = os.environ.get("MOTCUA_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(_tasks_backend, _tasks_backend)
    }
}

# The worker's daily jobs (expired documents of the citizens' store, …) run at this local hour.
MOTCUA_DAILY_JOBS_HOUR = int(os.environ.get("MOTCUA_DAILY_JOBS_HOUR", "1"))

# Notifications to applicants (docs/notifications.md).
MOTCUA_NOTIFY_CHANNELS = [
    c.strip() for c in os.environ.get("MOTCUA_NOTIFY_CHANNELS", "email,sms").split(",") if c.strip()
]
# Satisfaction ratings: a rating may be changed for this many days after it was first given; the
# link in the result notification opens the rating form for this many days.
MOTCUA_RATING_CHANGE_DAYS = int(os.environ.get("MOTCUA_RATING_CHANGE_DAYS", "7"))
MOTCUA_RATING_LINK_DAYS = int(os.environ.get("MOTCUA_RATING_LINK_DAYS", "90"))
MOTCUA_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_NOTIFY_MAX_ATTEMPTS", "5"))
MOTCUA_NOTIFY_RETRY_SECONDS = float(os.environ.get("MOTCUA_NOTIFY_RETRY_SECONDS", "60"))
MOTCUA_SMS_BACKEND = os.environ.get("MOTCUA_SMS_BACKEND", "log")
MOTCUA_SMS_GATEWAY_URL = os.environ.get("MOTCUA_SMS_GATEWAY_URL", "")
MOTCUA_SMS_GATEWAY_KEY = os.environ.get("MOTCUA_SMS_GATEWAY_KEY", "")
MOTCUA_SMS_SENDER = os.environ.get("MOTCUA_SMS_SENDER", "MOTCUA")
MOTCUA_SMS_ROUTES = [
    r.strip() for r in os.environ.get("MOTCUA_SMS_ROUTES", "sms").split(",") if r.strip()
]
MOTCUA_SMS_TIMEOUT = float(os.environ.get("MOTCUA_SMS_TIMEOUT", "10"))
MOTCUA_SMS_ASCII = _env_bool("MOTCUA_SMS_ASCII", False)
# E-mail through Django's mail system: `console` (the default: printed by the worker, nothing
# leaves the machine), `smtp`, `locmem`, or a backend's dotted path.
_email_backend = os.environ.get("MOTCUA_EMAIL_BACKEND", "console")
EMAIL_BACKEND = (
    f"django.core.mail.backends.{_email_backend}.EmailBackend"
    if _email_backend in {"console", "smtp", "locmem", "dummy"}
    else _email_backend
)
EMAIL_HOST = os.environ.get("MOTCUA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MOTCUA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MOTCUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MOTCUA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("MOTCUA_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("MOTCUA_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("MOTCUA_EMAIL_FROM", "Một Cửa <khong-tra-loi@localhost>")
MOTCUA_EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("MOTCUA_EMAIL_MESSAGE_ID_DOMAIN", "motcua.local")

# Prometheus metrics (/metrics, docs/operations.md): who may scrape them.
MOTCUA_METRICS_ALLOWED_IPS = [
    a.strip()
    for a in os.environ.get("MOTCUA_METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",")
    if a.strip()
]
MOTCUA_METRICS_TOKEN = os.environ.get("MOTCUA_METRICS_TOKEN", "")

# Logs: `plain` lines, or `json` (one object a line, motcua.core.logs) for a log collector.
MOTCUA_LOG_FORMAT = os.environ.get("MOTCUA_LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "motcua.core.logs.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if MOTCUA_LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
    # PDF rendering narrates every step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pyHanko logs every untrusted signature with a traceback; the verification page is public,
        # and the verdict is logged by motcua.digitization.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
