"""Django settings for Corridor. Values come from the environment through ``corridor.config``."""

from __future__ import annotations

import datetime as dt
from importlib.util import find_spec
from pathlib import Path

import dj_database_url

from corridor import config
from corridor.core import instance

BASE_DIR = Path(__file__).resolve().parent
HOME = instance.ensure_home(config.value("CORRIDOR_HOME"))

DEBUG = config.value("CORRIDOR_DEBUG")
SECRET_KEY = config.value("CORRIDOR_SECRET_KEY") or instance.secret_key(HOME)
ALLOWED_HOSTS = config.value("CORRIDOR_ALLOWED_HOSTS")
_unsafe = config.unsafe_reasons(
    debug=DEBUG,
    secure=config.value("CORRIDOR_SECURE"),
    secret_key=config.value("CORRIDOR_SECRET_KEY"),
)
if _unsafe:
    raise config.ConfigError("refusing to start: " + "; ".join(_unsafe))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "corridor.core",
    "corridor.accounts",
    "corridor.audit",
    "corridor.geo",
    "corridor.orgs",
    "corridor.situation",
    "corridor.aid",
    "corridor.funds",
    "corridor.statements",
    "corridor.exchange",
    "corridor.sync",
    "corridor.screening",
    "corridor.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",  # slow links; BREACH: docs/decisions/0135-*.md
    "csp.middleware.CSPMiddleware",
    "corridor.core.staticfiles.StaticFilesMiddleware",  # WhiteNoise, hashed names too (0395)
    # Before anything that reads the database: a locked instance answers with its unlock page.
    "corridor.keys.middleware.LockMiddleware",
    "corridor.core.middleware.NoStoreMiddleware",  # no-store on signed-in and API answers
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "corridor.web.middleware.UserLanguageMiddleware",
    "corridor.accounts.middleware.SecondFactorMiddleware",  # django-otp's, fixed read (0388)
    # After OTPMiddleware: ends idle/old sessions and hides a half-signed-in user.
    "corridor.accounts.middleware.SignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# /api/docs loads django-ninja's own Swagger UI files, not a CDN (decision 0076), found through
# these folders rather than through "ninja" in INSTALLED_APPS: that would import django-ninja and
# pydantic at every start, a third of `corridor status` (decision 0231). find_spec does not import.
_NINJA = Path(find_spec("ninja").origin).parent  # type: ignore[union-attr,arg-type]
STATICFILES_DIRS = [_NINJA / "static"]

ROOT_URLCONF = "corridor.urls"
WSGI_APPLICATION = "corridor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", _NINJA / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = config.value("CORRIDOR_DATABASE_URL")
if _database_url:
    # Each server thread keeps its connection for a minute (no connect per request), checked
    # before reuse, so a restarted or failed-over PostgreSQL costs a reconnect, not an error
    # (decision 0230).
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            # A field laptop encrypts the whole file (SQLCipher, decision 0290).
            "ENGINE": (
                "corridor.core.sqlcipher"
                if config.value("CORRIDOR_DATABASE_ENCRYPTED")
                else "django.db.backends.sqlite3"
            ),
            "NAME": HOME / instance.SQLITE_FILE,
            # Each server thread keeps its connection too: opening one (file, PRAGMAs, Django's
            # SQL functions) and closing it again was most of a kept API answer's CPU (decision
            # 0383). A lock closes them (keys/middleware.py), as does a wipe removing the file.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets the web server read while an import writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "corridor.accounts.passwords.DenylistPasswordValidator"},
]
PASSWORD_DENYLIST = config.value("CORRIDOR_PASSWORD_DENYLIST")
IDLE_LOCK_MINUTES = config.value("CORRIDOR_IDLE_LOCK_MINUTES")
# Field-encryption keys and passphrases are read by corridor.core.crypto.keyring itself, never
# copied into settings where an error page or a settings dump could show them.
AUDIT_ANCHOR = config.value("CORRIDOR_AUDIT_ANCHOR") or HOME / "audit-anchor.json"

LANGUAGE_CODE = config.value("CORRIDOR_LANGUAGE")
LANGUAGES = [("en", "English"), ("my", "မြန်မာ")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Each file under a name with its content's hash, cached for a year (decision 0395).
    "staticfiles": {"BACKEND": "corridor.core.staticfiles.HashedStorage"},
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "corridor.core.staticfiles.HashedNameFinder",  # a hashed name's file (decision 0395)
]
# Serve straight from the app folders: no collectstatic step on a field laptop.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
TWO_FACTOR_OPTIONAL_FOR_VIEWERS = config.value("CORRIDOR_2FA_OPTIONAL_FOR_VIEWERS")
OTP_TOTP_ISSUER = "Corridor"
CLIENT_ADDRESS_HEADER = config.value("CORRIDOR_CLIENT_ADDRESS_HEADER")
# Refuse a TOTP code after a few wrong ones, doubling the wait each time (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1

SECURE = config.value("CORRIDOR_SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
# Django's database sessions and ModelBackend, each reading its row by a fixed statement on
# every request instead of compiling a queryset (decision 0388).
SESSION_ENGINE = "corridor.accounts.session_store"
AUTHENTICATION_BACKENDS = ["corridor.accounts.backends.UserBackend"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere: pages load their JS and CSS from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Disclosure control (corridor.disclosure): below 3 a published count singles out a pair.
DISCLOSURE_K = config.value("CORRIDOR_DISCLOSURE_K")
if DISCLOSURE_K < 3:
    raise config.ConfigError(
        f"CORRIDOR_DISCLOSURE_K={DISCLOSURE_K} is unsafe: public counts need k of at least 3"
    )
PUBLICATION_DELAY_DAYS = config.value("CORRIDOR_PUBLICATION_DELAY_DAYS")
if PUBLICATION_DELAY_DAYS < 0:
    raise config.ConfigError(
        f"CORRIDOR_PUBLICATION_DELAY_DAYS={PUBLICATION_DELAY_DAYS} is negative"
    )

# The rules every entry point applies (corridor.core.rules): the window of dates a record may carry.
try:
    EARLIEST_DATE = dt.date.fromisoformat(config.value("CORRIDOR_EARLIEST_DATE"))
except ValueError:
    raise config.ConfigError(
        f"CORRIDOR_EARLIEST_DATE={config.value('CORRIDOR_EARLIEST_DATE')!r} is not YYYY-MM-DD"
    ) from None
PLANNING_HORIZON_DAYS = config.value("CORRIDOR_PLANNING_HORIZON_DAYS")
if PLANNING_HORIZON_DAYS < 0:
    raise config.ConfigError(f"CORRIDOR_PLANNING_HORIZON_DAYS={PLANNING_HORIZON_DAYS} is negative")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"corridor": {"handlers": ["console"], "level": config.value("CORRIDOR_LOG_LEVEL")}},
}
