"""Switchboard settings, read from the environment (see .env.example and README).

No environment at all gives the embedded default: SQLite under var/, Celery tasks
run eagerly in-process, e-mail printed to the console, DEBUG on.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from switchboard.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SWITCHBOARD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development-only key; production refuses to start without SECRET_KEY.
    SECRET_KEY = "dev-insecure-switchboard-key-change-me"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django admin with the Switchboard site (branding, throttled password change).
    "switchboard.apps.SwitchboardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "phonenumber_field",
    "switchboard",
    "directory",
    "calls",
    "messages_app",
    "reports",
]

MIDDLEWARE = [
    # First, so every response gets the CSP and Permissions-Policy headers.
    "switchboard.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "switchboard.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "switchboard.locale.UserLanguageMiddleware",  # the account's language, not the browser's
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "switchboard.urls"
WSGI_APPLICATION = "switchboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "switchboard.context_processors.navigation",
                "reports.context_processors.clock",
            ],
        },
    },
    {
        # The plain-text parts of e-mails (subjects, text bodies): the same templates
        # without HTML escaping, which would put "&amp;" into a text e-mail. Used
        # only by messages_app.delivery; nothing rendered here goes into a page.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: DATABASE_URL or an embedded SQLite file. Persistent connections with
# health checks so a restarted PostgreSQL does not hand out dead connections.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", str(VAR_DIR / "switchboard.sqlite3"))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 5, minimum=1
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "switchboard.backends.ModelBackend",  # Django's, permissions in one query
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database (shared by every web container).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)

# Failed log-ins (django-axes, see switchboard/security.py and README "Log-in
# throttling"). Counted per user name *and* address, so one operator's typos never
# lock out the whole desk that shares one office address; and per address across
# user names with a looser limit, so one address cannot try a few passwords against
# every account (password spraying). Wrong old passwords on the password-change
# form count too.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 30, minimum=1)
if AXES_IP_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"AXES_IP_FAILURE_LIMIT ({AXES_IP_FAILURE_LIMIT}) must be at least "
        f"AXES_FAILURE_LIMIT ({AXES_FAILURE_LIMIT})."
    )
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "switchboard.security.ThrottleHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of gunicorn, each appending to X-Forwarded-For (the
# docker-compose set has one, nginx). The client address is the entry the outermost
# one wrote; entries a client sends itself are ignored.
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "switchboard.security.client_ip_address"
# Never store the password-change form's passwords in axes' records of failures.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
AXES_VERBOSE = False

# Internationalisation: English and Bahasa Indonesia; Jakarta time, aware datetimes.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of id, en; got {LANGUAGE_CODE!r}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = env_str("PHONE_REGION", "ID")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# Static files: vendored assets, served by whitenoise (compressed, hashed names).
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# E-mail: console by default; SMTP (or any backend) from the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# Where the file backend (django.core.mail.backends.filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "switchboard@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _http_url(name: str, value: str, *, query: bool = False) -> str:
    """An absolute http(s) address, no fragment (and no query unless allowed)."""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.fragment
        or (parts.query and not query)
    ):
        raise ImproperlyConfigured(
            f"{name} must be an absolute http(s) address such as "
            f"https://switchboard.example.com, got {value!r}."
        )
    return value


# Absolute links in e-mails and webhooks (a request has no part in sending them).
# With DEBUG off and SITE_URL unset: https:// and the first ALLOWED_HOSTS name.
SITE_URL = env_str("SITE_URL").strip()
if not SITE_URL:
    if DEBUG:
        SITE_URL = "http://127.0.0.1:8000"
    else:
        _hosts = [h for h in ALLOWED_HOSTS if h and not h.startswith(".") and "*" not in h]
        if not _hosts:
            raise ImproperlyConfigured(
                "SITE_URL must be set (e.g. https://switchboard.example.com) when DEBUG is "
                "off and ALLOWED_HOSTS names no host to build e-mail links from."
            )
        SITE_URL = f"https://{_hosts[0]}"
SITE_URL = _http_url("SITE_URL", SITE_URL).rstrip("/")
# The company named in e-mails (their header and footer).
COMPANY_NAME = env_str("COMPANY_NAME", "Switchboard").strip() or "Switchboard"

# The webhook channel (messages_app.delivery): with a URL, every notification to a
# person is also POSTed there as JSON, signed with HMAC-SHA256 under the secret, for
# a company's WhatsApp, Telegram or SMS gateway (messages_app/delivery.py says how
# a receiver checks the signature).
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL").strip()
NOTIFY_WEBHOOK_SECRET = env_str("NOTIFY_WEBHOOK_SECRET")
# Seconds to connect and for each read; below the outbox's claim (5 minutes).
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 10, minimum=1)
if NOTIFY_WEBHOOK_URL:
    NOTIFY_WEBHOOK_URL = _http_url("NOTIFY_WEBHOOK_URL", NOTIFY_WEBHOOK_URL, query=True)
    if len(NOTIFY_WEBHOOK_SECRET) < 16:
        raise ImproperlyConfigured(
            "NOTIFY_WEBHOOK_SECRET must be set, at least 16 characters, when "
            "NOTIFY_WEBHOOK_URL is set (the receiver checks the signature with it)."
        )
if NOTIFY_WEBHOOK_TIMEOUT > 120:
    raise ImproperlyConfigured(
        f"NOTIFY_WEBHOOK_TIMEOUT must be at most 120 seconds, got {NOTIFY_WEBHOOK_TIMEOUT}."
    )

# Celery: no broker configured means tasks run eagerly in-process.
CELERY_BROKER_URL = env_redis_url("CELERY_BROKER_URL", env_redis_url("REDIS_URL"))
CELERY_RESULT_BACKEND = env_redis_url("CELERY_RESULT_BACKEND")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60, minimum=5)
# A task is acknowledged only when it finished; if the worker dies mid-task the
# broker hands it to another worker. Tasks are idempotent, so a re-run is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}


def env_clock(name: str, default: str) -> tuple[int, int]:
    """A local time of day "HH:MM" (24-hour) as (hour, minute)."""
    raw = (os.environ.get(name) or default).strip()
    hour, sep, minute = raw.partition(":")
    if (
        sep
        and len(hour) in (1, 2)
        and len(minute) == 2
        and hour.isascii()
        and minute.isascii()
        and hour.isdigit()
        and minute.isdigit()
        and int(hour) < 24
        and int(minute) < 60
    ):
        return int(hour), int(minute)
    raise ImproperlyConfigured(f"{name} must be a time of day as HH:MM (e.g. 23:55), got {raw!r}.")


# Daily recap: the local time the nightly job builds the day's recap.
RECAP_BUILD_TIME = env_clock("RECAP_BUILD_TIME", "23:55")

# The one list of periodic jobs, in Jakarta time unless TIME_ZONE says otherwise.
CELERY_BEAT_SCHEDULE = {
    # every 5 minutes: back any staff whose "back at" time has passed into the office
    "directory-presence-expire": {
        "task": "directory.tasks.presence_expire_task",
        "schedule": 300.0,
    },
    # every minute: send again any confirmed directory import whose task was lost
    # (the broker was down when it was confirmed)
    "directory-import-requeue": {
        "task": "directory.tasks.requeue_imports_task",
        "schedule": 60.0,
    },
    # every night at 02:30: delete directory import files older than IMPORT_RETENTION_DAYS
    "directory-import-purge": {
        "task": "directory.tasks.purge_imports_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # on the 1st of every month at 03:15: seed this year's and next year's public
    # holidays and cuti bersama from the holidays package (days the admins added,
    # moved or removed stay as they are)
    "directory-seed-holidays": {
        "task": "directory.tasks.seed_holidays_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=15),
    },
    # every minute: take the next escalation step on message slips nobody has
    # acknowledged within their urgency's limit (again, cover or head, supervisors)
    "messages-slip-escalation": {
        "task": "messages_app.tasks.slip_escalation_task",
        "schedule": 60.0,
    },
    # every 5 minutes: flag complaints past their deadlines and tell the
    # department head, then the supervisors
    "messages-complaint-escalation": {
        "task": "messages_app.tasks.complaint_escalation_task",
        "schedule": 300.0,
    },
    # every minute: send the notifications (e-mail, webhook) that are due: never
    # sent (the broker or worker was down), due for a retry, or left by a dead worker
    "messages-notification-sweep": {
        "task": "messages_app.tasks.notification_sweep_task",
        "schedule": 60.0,
    },
    # every 15 minutes: compute the attendance of yesterday and today (and any
    # older day still "scheduled"), so absences show once a shift has ended
    "reports-attendance-sweep": {
        "task": "reports.tasks.roster.attendance_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    # on the 1st of every month at 04:00, and every Monday at 04:00: propose this
    # month's calls to review per operator (QA_SAMPLE_PER_OPERATOR), topping the
    # sample up as the month's calls come in (never duplicating a call)
    "reports-review-sample": {
        "task": "reports.tasks.quality.review_sample_propose_task",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    "reports-review-sample-topup": {
        "task": "reports.tasks.quality.review_sample_propose_task",
        "schedule": crontab(day_of_week=1, hour=4, minute=0),
    },
    # every night at 01:15: rebuild the KPIs' per-day call figures for yesterday
    # and the KPI_REBUILD_DAYS days before it (late corrections)
    "reports-operator-days-nightly": {
        "task": "reports.tasks.kpi.operator_days_nightly_task",
        "schedule": crontab(hour=1, minute=15),
    },
    # every 5 minutes: rebuild the per-day call figures of the days a call's
    # correction or deletion marked
    "reports-operator-days-dirty": {
        "task": "reports.tasks.kpi.operator_days_dirty_task",
        "schedule": 300.0,
    },
    # every night at RECAP_BUILD_TIME (default 23:55): build the day's recap and
    # e-mail the supervisors its headline figures
    "reports-recap-nightly": {
        "task": "reports.tasks.recap.recap_nightly_task",
        "schedule": crontab(hour=RECAP_BUILD_TIME[0], minute=RECAP_BUILD_TIME[1]),
    },
    # every morning at 05:30: rebuild yesterday's recap to take in late
    # corrections (not once it is signed off)
    "reports-recap-morning": {
        "task": "reports.tasks.recap.recap_morning_task",
        "schedule": crontab(hour=5, minute=30),
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security: strict in production, relaxed for the embedded laptop default.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The health endpoint must answer plain HTTP from the container's own probe.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Directory search tuning.
DIRECTORY_SEARCH_LIMIT = env_int("DIRECTORY_SEARCH_LIMIT", 20, minimum=1)
# Directory import files (previews, cancelled and applied imports) are kept this long.
IMPORT_RETENTION_DAYS = env_int("IMPORT_RETENTION_DAYS", 30, minimum=1)

# The console shows each operator's calls today against this target.
CALLS_DAILY_TARGET = env_int("CALLS_DAILY_TARGET", 150, minimum=1)

# Message slips: the acknowledge link in a slip's e-mail works this many days.
SLIP_ACK_LINK_DAYS = env_int("SLIP_ACK_LINK_DAYS", 7, minimum=1)

# Call quality: calls proposed for review per operator per month (the fair sample).
QA_SAMPLE_PER_OPERATOR = env_int("QA_SAMPLE_PER_OPERATOR", 8, minimum=1)

# KPIs: days before yesterday whose per-day call figures the nightly job
# rebuilds too, to take in late corrections.
KPI_REBUILD_DAYS = env_int("KPI_REBUILD_DAYS", 7, minimum=0)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
