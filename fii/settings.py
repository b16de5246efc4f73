"""Settings for fii, read from the environment only.

With no environment at all, fii runs embedded: SQLite in the project folder, Celery tasks
in-process, local-memory cache and e-mail printed to the console. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (see .env.example).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def next_redis_database(url: str) -> str:
    """Return a Redis URL naming the database after the one `url` names (of Redis's 16)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


# ------------------------------------------------------------------------------------------
# Core  https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
# ------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
# The embedded default (no SECRET_KEY) is for a laptop only; production must set one.
EMBEDDED_SECRET_KEY = "embedded-default-insecure-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY") or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_ID = 1
ROOT_URLCONF = "fii.urls"
WSGI_APPLICATION = "fii.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "fii.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Our apps, in dependency order: each may import only those above it.
    "fii",
    "families",
    "journals",
    "insights",
    "capital",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fii.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fii.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fii.security.SessionLifetimeMiddleware",
    "fii.security.RequireMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Django's form renderer, from the project's templates (includes/field.html writes a field).
FORM_RENDERER = "fii.forms.FormRenderer"

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
                "fii.context_processors.navigation",
            ],
        },
    },
]

# ------------------------------------------------------------------------------------------
# Database  https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# ------------------------------------------------------------------------------------------
# Keep each connection for CONN_MAX_AGE seconds instead of opening one per request, and check
# it before a request uses it (CONN_HEALTH_CHECKS): after a database restart the next request
# opens a new connection instead of failing.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Send values apart from the SQL, and prepare a statement on the server from its second run on
# a connection, so that PostgreSQL parses and plans it once per connection (docs/benchmarks.md).
# Behind PgBouncer in transaction mode (before 1.21's max_prepared_statements), set
# DB_PREPARED_STATEMENTS to 0.
# https://docs.djangoproject.com/en/5.2/ref/databases/#server-side-parameters-binding
if POSTGRES and env_bool("DB_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
# Row-level security (fii/rowsecurity.py): PostgreSQL keeps each page of an organization to
# that organization's rows. Connections open seeing every organization ("all"); a page narrows
# its own transaction to one. `migrate` installs the policies when on and removes them when off.
ROW_SECURITY = env_bool("ROW_SECURITY", default=False)
if ROW_SECURITY and POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c fii.organization=all"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for a writer instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# ------------------------------------------------------------------------------------------
# Cache  https://docs.djangoproject.com/en/5.2/topics/cache/
# ------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Redis stopped must not stop the pages (docs/faults.md): fii.cache answers as an empty cache
# while Redis is unreachable (rate limits fail open), with timeouts of a fraction of a second
# (Redis answers in under a millisecond on the same network) and 5 s without asking it after
# an error. https://docs.djangoproject.com/en/5.2/topics/cache/#redis
FAIL_SOFT = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "RETRY_SECONDS": 5}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "fii.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": FAIL_SOFT,
        },
        # Sessions in a Redis database of their own (SESSION_REDIS_URL, by default the next one
        # after REDIS_URL's), emptied when Redis answers again after an outage (fii/cache.py).
        "sessions": {
            "BACKEND": "fii.cache.FailSoftRedisCache",
            "LOCATION": env("SESSION_REDIS_URL") or next_redis_database(REDIS_URL),
            "OPTIONS": {**FAIL_SOFT, "CLEAR_AFTER_OUTAGE": True},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sessions",
        },
    }
# Sessions are read from the cache and written to the database as well (Django's cached_db),
# never kept in the cache alone: a Redis restart logs nobody out. The store (fii/sessions.py)
# keeps each session's user id in a column, so that erasure can end a person's sessions.
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-cached-sessions
SESSION_CACHE_ALIAS = "sessions"
SESSION_ENGINE = "fii.sessions"

# ------------------------------------------------------------------------------------------
# Accounts: django-allauth  https://docs.allauth.org/en/latest/account/configuration.html
# ------------------------------------------------------------------------------------------
# Django's backend (the invitation's first login, the test client) and allauth's (login by
# e-mail address). https://docs.allauth.org/en/latest/installation/quickstart.html
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "fii.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# People join by invitation: the e-mail address is the one the organization invited.
ACCOUNT_EMAIL_VERIFICATION = "none"
# Adding, changing or removing an e-mail address asks for the password (or a second factor)
# again when the last login is more than 5 minutes old, as setting up or removing a second
# factor always does. https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Rate limits, counted in the cache (Redis in production, so every process shares them:
# tests/fii/test_audit_rate_limits.py proves it). Written out rather than left to allauth's
# defaults, which they equal. "5/5m/key": after 5 failed logins for one address within
# 5 minutes, the next attempt is refused even with the right password, until the oldest
# failure is 5 minutes old; "10/m/ip": 10 failures a minute from one address. A second
# factor's codes count against "login_failed" too, keyed by the account. Every refusal is
# audited as auth.rate_limited. https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "manage_email": "10/m/user",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "fii"
# Staff, org admins, funders and operators must set up TOTP before they see anything else
# (fii.security.RequireMfaMiddleware). Off only for a local demo: REQUIRE_MFA=0.
REQUIRE_MFA = env_bool("REQUIRE_MFA", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------------------
# Languages  https://docs.djangoproject.com/en/5.2/topics/i18n/
# ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# ------------------------------------------------------------------------------------------
# Static files, served by WhiteNoise (nothing from a CDN)
# ------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (a SECRET_KEY is set) serves collected, hashed and compressed files; the embedded
# default serves them straight from static/ so that `make demo` needs no collectstatic.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=not DEBUG and bool(env("SECRET_KEY")))
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# ------------------------------------------------------------------------------------------
# E-mail  https://docs.djangoproject.com/en/5.2/topics/email/
# ------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "fii <noreply@localhost>")
# Where people reach the site, for links in e-mails (no trailing slash).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Days before a journal's due day when families who have not submitted get one reminder.
REMINDER_DAYS_BEFORE_DUE = int(env("REMINDER_DAYS_BEFORE_DUE", "3"))

# ------------------------------------------------------------------------------------------
# Celery  https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ------------------------------------------------------------------------------------------
# Without a broker every task runs in-process at once (the embedded default and the tests).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# JSON only: a task takes ids and ISO dates, never a pickled object.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True

# A task is acknowledged when it ends, not when it starts, and a task whose worker died
# (SIGKILL, OOM) goes back to the queue: the nightly run is idempotent and locked, so running
# it again is safe, and losing it is not.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis stopped must not hang a page that queues a task (docs/faults.md): connecting gives up
# after 1 s, a command after 2 s (more than the worker's 1 s BRPOP), and a publish is tried
# twice, 0.2 s apart. A refused connection fails in about 60 ms, a frozen Redis in about 4 s;
# the caller keeps the work (an import stays queued) and a beat task sends it again later.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-publish-retry-policy
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A worker started before Redis (a compose restart) keeps trying to connect instead of exiting.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One message reserved per worker process: a long run never holds the next one hostage.
# https://docs.celeryq.dev/en/stable/userguide/optimizing.html#prefetch-limits
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Limits, in seconds. The hard limit kills a stuck run; the run's lock counts a 'running' run
# as abandoned after NIGHTLY_STALE_SECONDS (by default the hard limit: no live run is older).
# https://docs.celeryq.dev/en/stable/userguide/workers.html#time-limits
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", str(5 * 60 * 60)))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5 * 60
# Redis redelivers a message not acknowledged within the visibility timeout, to any worker,
# even when the first one is alive: it must outlast the longest run (hence 6 h > 5 h limit).
# A killed worker's run comes back after this delay. The worker tests shorten it to seconds.
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
REDIS_VISIBILITY_TIMEOUT = int(env("CELERY_VISIBILITY_TIMEOUT", str(6 * 60 * 60)))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
    # See CELERY_TASK_PUBLISH_RETRY_POLICY above.
    "socket_connect_timeout": 1.0,
    "socket_timeout": 2.0,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
# On a lost broker connection, stop long tasks rather than run them twice (Celery 6 default).
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-cancel-long-running-tasks-on-connection-loss
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# On SIGTERM (a deploy), wait this long, then give unfinished tasks back to the queue at once
# instead of after the visibility timeout.
# https://docs.celeryq.dev/en/stable/userguide/workers.html#soft-shutdown
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 60.0

# Once a night for all organizations, in UTC: a local hour between 00:00 and 03:59 would run
# twice or not at all on daylight-saving days (celery issues #1604, #9653, #10107).
# Run exactly one beat process. https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
NIGHTLY_HOUR_UTC, NIGHTLY_MINUTE_UTC = 2, 30
CELERY_BEAT_SCHEDULE = {
    "nightly-aggregation": {
        "task": "insights.tasks.nightly",
        "schedule": crontab(hour=NIGHTLY_HOUR_UTC, minute=NIGHTLY_MINUTE_UTC),
    },
    # Beat advances an entry before sending it: with Redis down at 02:30 the night is lost.
    # Hourly, organizations without a finished run for the last night are queued again (a run
    # already done or running is left alone). docs/nightly.md, docs/faults.md.
    "nightly-catch-up": {
        "task": "insights.tasks.nightly_catch_up",
        "schedule": crontab(minute=45),
    },
    # Imports whose task could not be queued (Redis down when staff started them) or whose
    # message was lost: queued again; a job is claimed once, so a duplicate does nothing.
    "import-requeue": {
        "task": "journals.tasks.requeue_import_jobs",
        "schedule": crontab(minute="*/5"),
    },
    # Hourly: each organization's own "today" decides whether reminders are due, and a
    # Reminder row per family and month makes sure none is sent twice.
    "journal-reminders": {
        "task": "journals.tasks.send_journal_reminders",
        "schedule": crontab(minute=15),
    },
}

# The nightly run (insights.pipeline; docs/nightly.md).
# Families per chunk: memory stays flat (about 150 bytes per family-month in flight).
NIGHTLY_CHUNK_SIZE = int(env("NIGHTLY_CHUNK_SIZE", "50000"))
# Claims of one run (workers killed under it, retries) before it is failed for good.
NIGHTLY_MAX_ATTEMPTS = int(env("NIGHTLY_MAX_ATTEMPTS", "5"))
# A 'running' run older than this is presumed dead and may be claimed again (a redelivered
# task takes back its own run at once: it is the same task id).
NIGHTLY_STALE_SECONDS = int(env("NIGHTLY_STALE_SECONDS", str(CELERY_TASK_TIME_LIMIT)))
# The hourly catch-up leaves a night alone for this long after 02:30 (its runs are queued).
NIGHTLY_CATCH_UP_GRACE_MINUTES = int(env("NIGHTLY_CATCH_UP_GRACE_MINUTES", "60"))
# An import job still queued after this many minutes is queued again (journals.tasks).
IMPORT_REQUEUE_MINUTES = int(env("IMPORT_REQUEUE_MINUTES", "5"))
# A job whose worker died this many times (out of memory on it, say) fails instead of being
# taken again after every time limit.
IMPORT_MAX_ATTEMPTS = int(env("IMPORT_MAX_ATTEMPTS", "3"))
# Tests only: seconds to sleep between computing and writing, to kill a worker mid-run.
NIGHTLY_TEST_SLEEP_SECONDS = float(env("NIGHTLY_TEST_SLEEP_SECONDS", "0"))

# ------------------------------------------------------------------------------------------
# REST framework  https://www.django-rest-framework.org/api-guide/settings/
# ------------------------------------------------------------------------------------------
# The API at /api/: bearer tokens (fii.api.authentication) or the session with its CSRF check;
# JSON only; every error as JSON (fii.api.exceptions); rates counted in the cache, which is
# Redis in production. https://www.django-rest-framework.org/api-guide/throttling/
# Wrong API tokens from one address within a minute before it gets 429 for the rest of it
# (fii/api/authentication.py; each failure is audited as auth.token_failed).
API_TOKEN_FAILURES = 10
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials gets 401 with WWW-Authenticate: Bearer.
        "fii.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "fii.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "fii.api.throttling.UserRateThrottle",
        "fii.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "600/min", "anon": "30/min"},
    "EXCEPTION_HANDLER": "fii.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema at /api/schema/ and its Swagger UI at /api/docs/, both for logged-in
# people only; the UI's files come from our static files (the sidecar), never from a CDN.
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "fii API",
    "DESCRIPTION": (
        "Families' journals, goals and help; staff reporting; funders' anonymized summaries. "
        "Authenticate with `Authorization: Bearer <token>` (tokens at /account/tokens/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Operation ids and tags start after the tenant: `journals_list`, not `o_journals_list`.
    "SCHEMA_PATH_PREFIX": r"/api/v1/(o|funders)/\{[a-z_]+\}",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EntryStatusEnum": "journals.models.EntryStatus",
        "GoalStatusEnum": "journals.models.GoalStatus",
        "ReportStatusEnum": ["submitted", "draft", "missing"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ------------------------------------------------------------------------------------------
# Security  https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# ------------------------------------------------------------------------------------------
SECURE = env_bool("SECURE", default=not DEBUG and bool(env("SECRET_KEY")))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60
# Every session ends 12 hours after login; staff, admins and funders also after 30 idle minutes
# (fii.security.SessionLifetimeMiddleware).
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_IDLE_SECONDS_PRIVILEGED = 30 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------------------------------------
# Licence (AGPL-3.0-or-later): every page links to /source/, which offers this installation's
# source as a zip; SOURCE_CODE_URL adds a link to the repository an operator publishes it in.
SOURCE_CODE_URL = env("SOURCE_CODE_URL")
