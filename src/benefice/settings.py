"""Django settings: SQLite (WAL) in ``$BENEFICE_HOME`` by default, any database via ``DATABASE_URL``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

from benefice.paths import home, read_secret_key

BASE_DIR = Path(__file__).resolve().parent
HOME = home(create=False)  # named only: the command line and the WSGI entry point create it


def _secret_key() -> str:
    """BENEFICE_SECRET_KEY, else the data directory's key file, which the command line and the WSGI entry
    point create before Django starts (``paths.ensure_secret_key``): importing the settings writes nothing.
    Without either (the test suite, a bare ``import``), a key for this process only."""
    return os.environ.get("BENEFICE_SECRET_KEY") or read_secret_key(HOME) or secrets.token_urlsafe(50)


def database_from_url(url: str | None) -> dict:
    """Parse ``DATABASE_URL`` (postgresql://user:pw@host:port/name or sqlite:///path)."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "benefice.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(HOME / "test_benefice.sqlite3")},
        }
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "benefice",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
        }
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) or str(HOME / "benefice.sqlite3"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgresql:// or sqlite://)")


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("BENEFICE_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "testserver",
    *filter(None, os.environ.get("BENEFICE_ALLOWED_HOSTS", "").split(",")),
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "benefice.core",
    "benefice.corpus",
    "benefice.sources",
    "benefice.uses",
    "benefice.interviews",
    "benefice.indicators",
    "benefice.cases",
    "benefice.impact",  # migrations only: the tables cases and indicators took over
    "benefice.review",
    "benefice.barometer",
    "benefice.custodians",
    "axes",  # sign-in throttling (issue 17, benefice.core.accounts)
    "django_tasks",
    "django_tasks_db",  # the task queue's table, in this database (benefice.core.jobs)
]

# Long work (imports, retraining, barometer builds) runs as tasks of this queue, kept in the project's own
# database; `benefice serve` starts a worker beside the web app, `benefice worker` runs one on its own
# (benefice.core.jobs, docs/deploy.md). The tests run tasks where they are queued (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "benefice.core.reliability.RequestMiddleware",  # request id, logged errors, busy-database retries (issue 17)
    "django.middleware.security.SecurityMiddleware",
    "benefice.core.headers.SecurityHeadersMiddleware",  # CSP without inline script, Permissions-Policy (issue 17)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "benefice.core.guard.RequestBudgetMiddleware",  # bounded database time per request (issue 17)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lock-out into its 429 page
]

ROOT_URLCONF = "benefice.urls"
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
                "benefice.core.context.roles",
            ]
        },
    }
]
WSGI_APPLICATION = "benefice.wsgi.application"

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
# One cache for every process of the server (gunicorn runs several): the corpus list's counts and facets
# (corpus/listcache.py) are computed once per state of the corpus, not once per worker. Files in
# $BENEFICE_HOME/cache, made on first use; entries are small and keyed so that none is ever stale.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(HOME / "cache"),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = HOME / "static"

# Accounts (issue 17, benefice.core.accounts): throttled sign-in, Django's password rules
AUTHENTICATION_BACKENDS = [
    "benefice.core.accounts.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("BENEFICE_SIGNIN_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("BENEFICE_SIGNIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False
BEHIND_PROXY = os.environ.get("BENEFICE_BEHIND_PROXY") == "1"
AXES_CLIENT_IP_CALLABLE = "benefice.core.accounts.client_address"  # X-Forwarded-For's last hop behind a proxy
PASSWORD_HASHERS = [  # Argon2id first (see core/accounts.py); PBKDF2 hashes made before still verify
    "benefice.core.accounts.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Production (issue 17, docs/deploy.md, deploy/env.example): HTTPS behind a reverse proxy. With
# BENEFICE_HTTPS=1, benefice check --deploy prints no warning.
HTTPS = os.environ.get("BENEFICE_HTTPS") == "1"
if os.environ.get("BENEFICE_BEHIND_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("BENEFICE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = (
    os.environ.get("BENEFICE_HSTS_INCLUDE_SUBDOMAINS", "1" if HTTPS else "0") == "1"
)
SECURE_HSTS_PRELOAD = os.environ.get("BENEFICE_HSTS_PRELOAD", "1" if HTTPS else "0") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("BENEFICE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "corpus:list"
LOGOUT_REDIRECT_URL = "login"

MEDIA_ROOT = HOME / "uploads"

#: kinds of use: the model is retrained in the background after this many people's corrections
USES_RETRAIN_EVERY = int(os.environ.get("BENEFICE_USES_RETRAIN_EVERY", "20"))
#: database time a web request may use before its query is stopped (SQLite progress handler, PostgreSQL
#: statement_timeout; see benefice.core.guard); 0 turns the guard off
REQUEST_BUDGET_SECONDS = float(os.environ.get("BENEFICE_REQUEST_BUDGET_SECONDS", "10"))
#: the facets of a search are counted within this budget, else over a sample of its results
FACET_BUDGET_SECONDS = float(os.environ.get("BENEFICE_FACET_BUDGET_SECONDS", "0.5"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
#: a web request waits this long for SQLite's write lock, then its view is retried WEB_BUSY_RETRIES times
#: (if it wrote nothing) before a 503 page says the action was not recorded (benefice.core.reliability)
WEB_BUSY_TIMEOUT_SECONDS = float(os.environ.get("BENEFICE_WEB_BUSY_TIMEOUT_SECONDS", "5"))
WEB_BUSY_RETRIES = int(os.environ.get("BENEFICE_WEB_BUSY_RETRIES", "2"))

# Logging (issue 17): stderr and a rotating file $BENEFICE_HOME/logs/benefice.log, each line with the id of
# the web request it belongs to ("-" outside one); every 500 is logged with its traceback by django.request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "benefice.core.reliability.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"},
        "file": {
            "class": "benefice.core.reliability.HomeFileHandler",
            "filters": ["request_id"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stderr", "file"], "level": os.environ.get("BENEFICE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"level": os.environ.get("BENEFICE_LOG_LEVEL", "WARNING"), "propagate": True},
        "benefice": {"level": os.environ.get("BENEFICE_LOG_LEVEL", "WARNING"), "propagate": True},
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
