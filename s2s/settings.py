"""The one settings module: everything that varies comes from environment variables.

S2S_MODE is `local` (the default: safe defaults for a developer's machine) or `production`,
which refuses to start without a secret key, allowed hosts and an encryption key.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from s2s.core.emailurl import email_settings
from s2s.core.envvars import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_probability,
    env_rate,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
MODE = env_str("S2S_MODE", "local")
if MODE not in {"local", "production"}:
    raise ImproperlyConfigured(f"S2S_MODE must be local or production, not {MODE!r}")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env_str("S2S_DATA_DIR", str(BASE_DIR / "var"))).resolve()

SECRET_KEY = env_secret("S2S_SECRET_KEY")
ENCRYPTION_KEY = env_secret("S2S_ENCRYPTION_KEY")
# Master keys that ENCRYPTION_KEY replaced, comma-separated: kept until `s2s rotate_master_key`
# has re-wrapped every stored file's key under the current one.
ENCRYPTION_OLD_KEYS = [
    key.strip() for key in env_secret("S2S_ENCRYPTION_OLD_KEYS").split(",") if key.strip()
]
ALLOWED_HOSTS = env_list("S2S_ALLOWED_HOSTS")
DEBUG = env_bool("S2S_DEBUG", default=False)

if PRODUCTION:
    missing = [
        name
        for name, value in [
            ("S2S_SECRET_KEY", SECRET_KEY),
            ("S2S_ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("S2S_ENCRYPTION_KEY", ENCRYPTION_KEY),
        ]
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "Production mode needs these settings, which are not set: " + ", ".join(missing)
        )
    if DEBUG:
        raise ImproperlyConfigured("S2S_DEBUG must be false in production mode")
else:
    # Local defaults: never used in production, which refuses to start without its own.
    SECRET_KEY = SECRET_KEY or "local-only-insecure-secret-key-do-not-use-in-production"
    ENCRYPTION_KEY = ENCRYPTION_KEY or "bG9jYWwtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU="
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "csp",
    "django_tasks_db",
    # django-tasks' RQ backend's queue and its `rqworker` (S2S_TASKS_BACKEND=redis); no tables.
    "django_rq",
    # django-ninja: its templates and static files serve the API docs without a CDN.
    "ninja",
    "s2s.core",
    "s2s.audit",
    "s2s.directory",
    "s2s.accounts",
    "s2s.transfers",
    "s2s.api",
    "s2s.lostpupils",
    "s2s.messaging",
    "s2s.reports",
    "s2s.feeds",
    "s2s.calendars",
    "s2s.cme",
    "s2s.partnerships",
    "s2s.agencies",
    "s2s.matching",
]

MIDDLEWARE = [
    # Outermost: the request's id, on every log record of it and in X-Request-ID (core/logs.py).
    "s2s.core.logs.RequestIdMiddleware",
    # Then the timer of the whole answer, by URL name and method (core/metrics.py).
    "s2s.core.metrics.RequestDurationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Serves the static files (GOV.UK Frontend included) from the app process itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page language: the language cookie, else the browser's Accept-Language (issue 17);
    # after sessions, before CommonMiddleware. It applies to /api/ too.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Multipart uploads read by python-multipart where Django's parser would read them the
    # same (core/multipart.py); before anything reads request.POST or FILES.
    "s2s.core.multipart.MultipartMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's chosen language wins over the cookie and the browser.
    "s2s.accounts.middleware.UserLanguageMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A signed-in person owes no other page before their second factor, new password or set-up.
    "s2s.accounts.middleware.SignInStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost: an API request that lost the database answers 503 with Retry-After, never 500.
    "s2s.api.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "s2s.urls"
WSGI_APPLICATION = "s2s.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Installed packages' templates we change (crispy-forms-gds's form tag: novalidate).
        "DIRS": [BASE_DIR / "s2s" / "core" / "template_overrides"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "s2s.core.context_processors.navigation",
                "s2s.messaging.context_processors.unread_messages",
            ],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 's2s.sqlite3'}"),
        conn_max_age=env_int("S2S_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "S2S_DB_PREPARED", default=True):
    # Values bound by the server, and a statement run five times on a connection prepared
    # there: planning the same few hot queries again was a third of PostgreSQL's CPU an upload
    # (issue 18). Behind PgBouncer in transaction mode this needs its max_prepared_statements
    # (1.21 or newer), or S2S_DB_PREPARED=false (deploy/README.md).
    # Added to the options DATABASE_URL may carry (?sslmode=require), never in their place.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out account or address is refused before any password check.
    "s2s.accounts.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# NCSC guidance: length over complexity, and no common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Lockout (issue 20, 5). An account is locked after S2S_LOCKOUT_FAILURES failures from
# anywhere (django-axes, counted in the database). An address only after many more failures
# on usernames that exist, for a short cool-off (accounts/signin.py, counted in the cache):
# a school sits behind one address, and a pupil typing made-up usernames must not lock out
# every teacher there.
AXES_FAILURE_LIMIT = env_int("S2S_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("S2S_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout neither extends it nor counts again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "s2s.accounts.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "s2s.core.addresses.client_address"
AXES_VERBOSE = False
# axes warns that it does not lock by address: accounts/signin.py does, on its own terms.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
S2S_LOCKOUT_ADDRESS_FAILURES = env_int("S2S_LOCKOUT_ADDRESS_FAILURES", 50)
S2S_LOCKOUT_ADDRESS_MINUTES = env_int("S2S_LOCKOUT_ADDRESS_MINUTES", 5)

# The proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# without them the client is REMOTE_ADDR (core/addresses.py).
S2S_TRUSTED_PROXIES = env_networks("S2S_TRUSTED_PROXIES")

# GET /metrics (Prometheus, core/metrics.py): open to these addresses or networks
# (comma-separated; the client address as core/addresses.py finds it) and to
# `Authorization: Bearer <S2S_METRICS_TOKEN>`; 404 to anyone else, and to everyone when both
# are empty.
S2S_METRICS_ALLOW = env_networks("S2S_METRICS_ALLOW")
S2S_METRICS_TOKEN = env_secret("S2S_METRICS_TOKEN")

# API rate limit per token (issue 20): (requests, seconds), from "600/minute"; over it the API
# answers 429 with Retry-After (api/throttling.py), counted in the shared cache.
S2S_API_RATE = env_rate("S2S_API_RATE", "600/minute")

# Load shedding (core/shedding.py, issue 18): connections that may wait for a gunicorn worker
# before a worker answers 503 with Retry-After (0: no bound), and requests one process runs at
# once (threaded workers; 0: no bound).
S2S_SHED_QUEUE = env_int("S2S_SHED_QUEUE", 32)
S2S_SHED_INFLIGHT = env_int("S2S_SHED_INFLIGHT", 0)

# The cache every worker shares: sign-in counters per address and API rate limits. Redis when
# S2S_CACHE_URL is set (redis://host:6379/0), else a table in the database (created by
# `migrate`, core/apps.py), so no extra service is needed.
CACHE_URL = env_str("S2S_CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "s2s.core.cache.RedisCache",
                          "LOCATION": CACHE_URL, "KEY_PREFIX": "s2s"}}
else:
    # Counters of one period each: past MAX_ENTRIES rows the expired ones are deleted (and,
    # were that not enough, a third of the rest); every write counts the rows, so it stays
    # small.
    CACHES = {"default": {"BACKEND": "s2s.core.cache.DatabaseCache", "LOCATION": "s2s_cache",
                          "KEY_PREFIX": "s2s", "OPTIONS": {"MAX_ENTRIES": 10000}}}

# Two-factor sign-in (TOTP): required for national and LA roles when true, optional for schools.
S2S_TWO_FACTOR_REQUIRED = env_bool("S2S_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "s2s"

# Sessions end after inactivity.
SESSION_COOKIE_AGE = env_int("S2S_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    # Behind the proxy, X-Forwarded-Proto says whether the client used HTTPS; plain HTTP is
    # redirected to it, and browsers are told to use only HTTPS, on subdomains too.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The health and readiness checks answer the proxy's own probes over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images only from our own
# static files (GOV.UK Frontend and our modules); no inline script or style anywhere, no
# framing, forms post only to us. `data:` images are the API docs' icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}

# English (UK) and Welsh (issue 17). Each language's name is written in that language, as the
# header's switch shows it. The Welsh catalogue is s2s/locale/cy, compiled by `make install`.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "s2s" / "locale"]
# The language switch's cookie: a year, like GOV.UK's; read by LocaleMiddleware.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["s2s.formats"]  # dates read "6 December 2026" on every page
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk")]

# Locally, files are served straight from their sources; production runs collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

MEDIA_ROOT = DATA_DIR / "files"

# Transferred files, already encrypted by s2s.transfers, go to the "transfers" storage: local
# disk under the data directory, or an S3-compatible bucket when S2S_S3_BUCKET is set (that
# needs the django-storages and boto3 packages; without keys, boto3's usual credential chain).
if env_str("S2S_S3_BUCKET"):
    TRANSFERS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S2S_S3_BUCKET"),
            "location": env_str("S2S_S3_PREFIX", "transfers"),
            "endpoint_url": env_str("S2S_S3_ENDPOINT_URL") or None,
            "region_name": env_str("S2S_S3_REGION") or None,
            "access_key": env_secret("S2S_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S2S_S3_SECRET_ACCESS_KEY") or None,
            # Reads spill to a temporary file past 1 MiB, so a big download stays out of memory.
            "max_memory_size": 1024 * 1024,
        },
    }
else:
    TRANSFERS_STORAGE = {
        "BACKEND": "s2s.transfers.storage.LocalObjectStorage",
        "OPTIONS": {
            "location": DATA_DIR / "files" / "transfers",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "transfers": TRANSFERS_STORAGE,
}

# Background work goes through Django's task interface (the django-tasks backport): `database`
# keeps the queue in the database, run by `s2s task_worker` (django-tasks-db's db_worker);
# `redis` keeps it in Redis at S2S_REDIS_URL (django-tasks' RQ backend, core/taskqueue.py),
# run by the same `s2s task_worker` (RQ's worker); `immediate` runs each task inline (the
# tests, or a quick try without a worker).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "s2s.core.taskqueue.RedisBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("S2S_TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"S2S_TASKS_BACKEND must be database, redis or immediate, not {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
REDIS_URL = env_str("S2S_REDIS_URL")
if TASKS_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("S2S_TASKS_BACKEND=redis needs S2S_REDIS_URL "
                                   "(redis://host:6379/0)")
# RQ's one queue (django-rq): a task may run for 10 minutes (a big report) before RQ stops it.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

_email = email_settings(env_str("EMAIL_URL", ""))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("S2S_FROM_EMAIL", "s2s <no-reply@s2s.localhost>")
SITE_URL = env_str("S2S_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Personal webmail domains: account emails there are refused (seed 003, 3.7).
PERSONAL_EMAIL_DOMAINS = env_list(
    "S2S_PERSONAL_EMAIL_DOMAINS",
    "hotmail.com,hotmail.co.uk,yahoo.com,yahoo.co.uk,gmail.com,googlemail.com,outlook.com,"
    "live.com,live.co.uk,msn.com,aol.com,aol.co.uk,icloud.com,me.com,btinternet.com,"
    "proton.me,protonmail.com,gmx.com,mail.com,yandex.com",
)

# Accounts not confirmed by the annual review for this long are disabled.
USER_REVIEW_DISABLE_AFTER_DAYS = env_int("S2S_USER_REVIEW_DISABLE_AFTER_DAYS", 396)
USER_REVIEW_WARN_DAYS = [30, 7]

# A collected file can be downloaded again for this many days (issue 4).
S2S_REDOWNLOAD_DAYS = env_int("S2S_REDOWNLOAD_DAYS", 28)

# Retention (issue 4): a file's content and pupil index are deleted this many days after it
# was collected or rejected (no fewer than S2S_REDOWNLOAD_DAYS, or a re-download finds it
# gone), or after it was uploaded if never collected; its destination and sender are warned
# at each of the warning marks (days before) first. Lost Pupil Database files are kept.
S2S_RETAIN_COLLECTED_DAYS = env_int("S2S_RETAIN_COLLECTED_DAYS", 28)
S2S_RETAIN_UNCOLLECTED_DAYS = env_int("S2S_RETAIN_UNCOLLECTED_DAYS", 90)
S2S_RETENTION_WARN_DAYS = [int(d) for d in env_list("S2S_RETENTION_WARN_DAYS", "14,3")]

# Secure messaging (issue 6): a recipient's unread copy is deleted this many days after it
# arrived, a read one this many days after it was read; a message to more LAs than
# S2S_BLANKET_MESSAGE_LAS asks its sender to confirm first (seed 003, 4.2).
S2S_MESSAGE_UNREAD_DAYS = env_int("S2S_MESSAGE_UNREAD_DAYS", 31)
S2S_MESSAGE_READ_DAYS = env_int("S2S_MESSAGE_READ_DAYS", 14)
S2S_BLANKET_MESSAGE_LAS = env_int("S2S_BLANKET_MESSAGE_LAS", 10)

# Lost Pupil Database (issue 5): a record is purged once its pupil is past this age, at the
# end of the school year (31 August) in which the pupil reached it (lostpupils/leaving.py).
S2S_LPD_LEAVING_AGE = env_int("S2S_LPD_LEAVING_AGE", 16)

# MIS feeds (issue 13): raw bodies kept encrypted this many days for audit; the largest body
# accepted (413 above it): a term of a large secondary's marks as JSON is about 13 MB.
S2S_FEED_RETAIN_DAYS = env_int("S2S_FEED_RETAIN_DAYS", 30)
S2S_FEED_MAX_BYTES = env_int("S2S_FEED_MAX_BYTES", 32 * 1024 * 1024)

# CME cases (issue 14): a case is overdue when it stays longer than this many school days (of
# its LA's calendar; weekdays that are not bank holidays where the LA published none) in a
# state: referred and enquiries not started (DfE "Children missing education" 2024: start
# enquiries at once); enquiries open (the 20 school days a pupil may be absent before the
# school may delete them after joint enquiries, SI 2024/208 reg. 9(1)(f)); located or not
# located and not yet closed.
S2S_CME_CASE_START_DAYS = env_int("S2S_CME_CASE_START_DAYS", 5)
S2S_CME_CASE_ENQUIRY_DAYS = env_int("S2S_CME_CASE_ENQUIRY_DAYS", 20)
S2S_CME_CASE_CLOSE_DAYS = env_int("S2S_CME_CASE_CLOSE_DAYS", 10)
# The matcher (issue 15): a pair at or above S2S_MATCH_THRESHOLD is a "match" (review quickly),
# at or above S2S_MATCH_POSSIBLE_THRESHOLD a "possible" (review with care), below it nothing;
# the engine is DuckDB embedded, or Spark (`pip install s2s[spark]`; S2S_SPARK_MASTER, a
# cluster's URL, local[2] by default).
S2S_MATCH_THRESHOLD = env_probability("S2S_MATCH_THRESHOLD", 0.99)
S2S_MATCH_POSSIBLE_THRESHOLD = env_probability("S2S_MATCH_POSSIBLE_THRESHOLD", 0.2)
S2S_MATCHING_ENGINE = env_choice("S2S_MATCHING_ENGINE", "duckdb", ("duckdb", "spark"))
S2S_SPARK_MASTER = env_str("S2S_SPARK_MASTER", "local[2]")
# A run's DuckDB memory ceiling (it spills to the data directory beyond it).
S2S_MATCH_MEMORY = env_str("S2S_MATCH_MEMORY", "4GB")

# Logs (core/logs.py): one JSON line per record (timestamp, level, logger, message, request_id)
# on standard error; S2S_LOG_FORMAT=text for plain lines on a developer's terminal. SQL is never
# logged (its parameters are pupil data), whatever the level.
LOG_FORMAT = env_str("S2S_LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"S2S_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "s2s.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "s2s.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("S2S_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # A body it cannot read goes to Django's parser (core/multipart.py); no warning each.
        "python_multipart": {"level": "ERROR"},
        # runserver's request lines, in the same format instead of their own handler.
        "django.server": {"handlers": ["console"], "propagate": False},
    },
}
