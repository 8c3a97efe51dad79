"""Settings for hocvuso: one module, everything from the environment.

Environment variables (all optional in development):

- ``HOCVUSO_ENV``: ``development`` (default) or ``production``.
- ``HOCVUSO_DATA_DIR``: the local data folder (default ``./data``): SQLite file, generated keys.
- ``DATABASE_URL``: any URL dj-database-url understands; default a SQLite file in the data folder.
- ``HOCVUSO_SECRET_KEY``: Django's secret key (sessions, CSRF, signed links).
- ``HOCVUSO_ID_KEY``: the key protecting citizen ID numbers (hash + encryption). Comma-separated:
  the first is current, the rest are older keys still accepted while ``hocvuso rotate_id_key`` runs.
- ``HOCVUSO_SIGNING_KEY``: the key certificates are signed with (Ed25519, derived from it).
  Comma-separated: the first signs, the older ones stay published so their certificates verify.
- ``HOCVUSO_PUBLIC_URL``: the address the public reaches the site at (default
  ``http://localhost:8000``): the issuer's did:web and the links inside certificates.
- ``DATABASE_REPLICA_URLS``: comma-separated URLs of PostgreSQL streaming replicas (reads of
  dashboards, reports, exports, verification); ``HOCVUSO_REPLICA_PIN_SECONDS`` (15),
  ``HOCVUSO_REPLICA_MAX_LAG_SECONDS`` (10), ``HOCVUSO_REPLICA_CHECK_SECONDS`` (2): see
  ``core/replicas.py``.
- ``HOCVUSO_ALLOWED_HOSTS``: comma-separated host names.
- ``HOCVUSO_DEBUG``: ``1`` to turn on Django's debug mode in development.
- ``HOCVUSO_LOGIN_FAILURE_LIMIT`` (5) / ``HOCVUSO_LOCKOUT_MINUTES`` (15): log-in lockout.
- ``HOCVUSO_SESSION_IDLE_MINUTES`` (30) / ``HOCVUSO_SESSION_MAX_AGE`` (12 h, seconds): sessions.
- ``HOCVUSO_SMS_BACKEND``: dotted path of the SMS gateway class (console in development).
- ``HOCVUSO_INVITATION_DAYS`` (7) / ``HOCVUSO_TOKEN_DAYS`` (90): link and device-token lifetimes.

In production the keys and hosts are required: the process refuses to start without them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent

ENV = os.environ.get("HOCVUSO_ENV", "development").strip().lower()
if ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"HOCVUSO_ENV must be 'development' or 'production', not {ENV!r}")
PRODUCTION = ENV == "production"

DATA_DIR = Path(os.environ.get("HOCVUSO_DATA_DIR", "data")).resolve()


MIN_KEY_CHARS = 43  # 32 random bytes, base64url (`secrets.token_urlsafe(32)`)


def _strong(key: str) -> bool:
    """At least 32 random bytes' worth: 43 characters or more, not a short alphabet repeated."""
    return len(key) >= MIN_KEY_CHARS and len(set(key)) >= 16


def _key_from_env_or_file(env_name: str, file_name: str) -> str:
    """A key from the environment; in development, generated once into the data folder. In
    production every key (each of a comma-separated list) must be strong."""
    value = os.environ.get(env_name, "").strip()
    if value:
        if PRODUCTION and not all(_strong(k.strip()) for k in value.split(",") if k.strip()):
            raise ImproperlyConfigured(
                f"{env_name} must hold at least 32 random bytes (43 base64url characters, "
                "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set when HOCVUSO_ENV=production")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / file_name
    if not path.exists():
        # Opened exclusively: two processes starting at once cannot write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _key_from_env_or_file("HOCVUSO_SECRET_KEY", "secret_key")
# Separate from SECRET_KEY on purpose: rotating one must not touch the other.
HOCVUSO_ID_KEYS = [
    k.strip() for k in _key_from_env_or_file("HOCVUSO_ID_KEY", "id_key").split(",") if k.strip()
]

# Certificates (Open Badges 3.0, VC-JWT with EdDSA): separate again, and rotated on its own.
HOCVUSO_SIGNING_KEYS = [
    k.strip()
    for k in _key_from_env_or_file("HOCVUSO_SIGNING_KEY", "signing_key").split(",")
    if k.strip()
]
# Sign-in with VNeID (OpenID Connect): off unless the provider is configured.
HOCVUSO_VNEID_METADATA_URL = os.environ.get("HOCVUSO_VNEID_METADATA_URL", "").strip()
HOCVUSO_VNEID_CLIENT_ID = os.environ.get("HOCVUSO_VNEID_CLIENT_ID", "").strip()
HOCVUSO_VNEID_CLIENT_SECRET = os.environ.get("HOCVUSO_VNEID_CLIENT_SECRET", "").strip()
HOCVUSO_VNEID_CCCD_CLAIM = os.environ.get("HOCVUSO_VNEID_CCCD_CLAIM", "cccd").strip()
HOCVUSO_PUBLIC_URL = os.environ.get("HOCVUSO_PUBLIC_URL", "http://localhost:8000").rstrip("/")

DEBUG = (not PRODUCTION) and os.environ.get("HOCVUSO_DEBUG", "") == "1"

_hosts = os.environ.get("HOCVUSO_ALLOWED_HOSTS", "").strip()
if PRODUCTION and not _hosts:
    raise ImproperlyConfigured("HOCVUSO_ALLOWED_HOSTS must be set when HOCVUSO_ENV=production")
if PRODUCTION and any(h.strip() == "*" or h.strip().startswith("*") for h in _hosts.split(",")):
    raise ImproperlyConfigured("HOCVUSO_ALLOWED_HOSTS must name the hosts, not a wildcard")
ALLOWED_HOSTS = (
    [h.strip() for h in _hosts.split(",") if h.strip()]
    if _hosts
    else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("HOCVUSO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "hocvuso.config.apps.TasksDatabaseConfig",  # django_tasks_db, named in Vietnamese
    "django_otp",
    # django-ninja as an app: the API docs page loads Swagger UI from its bundled static files
    # (ours to serve, under our CSP), never from a CDN.
    "ninja",
    # In the order of the layers (docs/architecture.md), bottom first.
    "hocvuso.core",
    "hocvuso.geo",
    "hocvuso.accounts",
    "hocvuso.registry",
    "hocvuso.skills",
    "hocvuso.roles",
    "hocvuso.outreach",
    "hocvuso.desk",
    "hocvuso.mentoring",
    "hocvuso.teams",
    "hocvuso.classes",
    "hocvuso.learning",
    "hocvuso.assistance",
    "hocvuso.kpi",
    "hocvuso.privacy",
    "hocvuso.sync",
    "hocvuso.ui",
    "hocvuso.demo",
]

MIDDLEWARE = [
    # Pages, JSON and SVG go out gzipped to a client that accepts it (a national dashboard:
    # 89 KB → ~21 KB on a slow link). CSRF tokens are masked per response (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hocvuso.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hocvuso.core.middleware.RequestIdMiddleware",
    "hocvuso.core.replicas.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hocvuso.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hocvuso.core.security.RequestSizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hocvuso.accounts.middleware.SessionLifetimeMiddleware",
    "hocvuso.accounts.middleware.TwoFactorMiddleware",
    "hocvuso.accounts.middleware.SignInDeviceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hocvuso.config.urls"
WSGI_APPLICATION = "hocvuso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: the few admin templates the project overrides.
        "DIRS": [PACKAGE_DIR / "ui" / "templates" / "overrides"],
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

# --- Database -----------------------------------------------------------------------------
_default_db_url = f"sqlite:///{DATA_DIR / 'hocvuso.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or _default_db_url, conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while one writer writes; the busy timeout makes a writer wait
        # for the lock instead of failing; IMMEDIATE takes the write lock at BEGIN so two
        # transactions never deadlock upgrading a read lock.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
# Read replicas (core/replicas.py): PostgreSQL streaming replicas of the primary serve the reads
# of dashboards, reports, exports and public verification; everything else uses the primary.
HOCVUSO_REPLICAS = []
for _n, _url in enumerate(
    [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()], 1
):
    _alias = f"replica{_n}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=60)
    DATABASES[_alias]["OPTIONS"] = {"connect_timeout": 3}
    # Tests: a replica alias reads the test database itself (Django's test mirrors).
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    HOCVUSO_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["hocvuso.core.replicas.ReplicaRouter"]
# Transaction pooling (pgbouncer, pool_mode = transaction) hands each transaction any server
# connection: nothing may outlive a transaction. Django's server-side cursors (.iterator()
# outside a transaction, WITH HOLD) would, so they are off; prepared statements are off by
# Django's default (prepare_threshold None); the app sets no session state (set_config is
# always transaction-local). The same settings serve a direct connection.
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
# A browser that wrote reads from the primary for this long (cookie hocvuso_pin); a replica
# further behind than the lag limit is skipped; each is checked this often per process.
HOCVUSO_REPLICA_PIN_SECONDS = int(os.environ.get("HOCVUSO_REPLICA_PIN_SECONDS", 15))
HOCVUSO_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("HOCVUSO_REPLICA_MAX_LAG_SECONDS", 10))
HOCVUSO_REPLICA_CHECK_SECONDS = float(os.environ.get("HOCVUSO_REPLICA_CHECK_SECONDS", 2))
if HOCVUSO_REPLICAS and (
    HOCVUSO_REPLICA_PIN_SECONDS < HOCVUSO_REPLICA_MAX_LAG_SECONDS + HOCVUSO_REPLICA_CHECK_SECONDS
):
    raise ImproperlyConfigured(
        "HOCVUSO_REPLICA_PIN_SECONDS must be at least HOCVUSO_REPLICA_MAX_LAG_SECONDS + "
        "HOCVUSO_REPLICA_CHECK_SECONDS: a person who wrote would otherwise read an older copy"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (accounts/services/signin.py): per account *and* client (a known device, or
# the address), never per account or per address alone; the wait doubles, never a lock.
HOCVUSO_SIGNIN_FREE_TRIES = int(os.environ.get("HOCVUSO_SIGNIN_FREE_TRIES", 5))
HOCVUSO_SIGNIN_WINDOW_MINUTES = int(os.environ.get("HOCVUSO_SIGNIN_WINDOW_MINUTES", 60))
HOCVUSO_SIGNIN_MAX_WAIT_MINUTES = int(os.environ.get("HOCVUSO_SIGNIN_MAX_WAIT_MINUTES", 15))
HOCVUSO_BEHIND_PROXY = os.environ.get("HOCVUSO_BEHIND_PROXY", "") == "1"
HOCVUSO_PROXY_COUNT = int(os.environ.get("HOCVUSO_PROXY_COUNT", 1))
# Two-factor (django-otp): required for officer roles unless turned off (tests only).
# Never off in production.
HOCVUSO_REQUIRE_2FA = PRODUCTION or os.environ.get("HOCVUSO_REQUIRE_2FA", "1") == "1"
OTP_TOTP_ISSUER = "Bình dân học vụ số"
# Sessions: idle timeout; the absolute lifetime is SESSION_COOKIE_AGE (below).
HOCVUSO_SESSION_IDLE_MINUTES = int(os.environ.get("HOCVUSO_SESSION_IDLE_MINUTES", 30))
# Invitations, device tokens, phone registration.
HOCVUSO_INVITATION_DAYS = int(os.environ.get("HOCVUSO_INVITATION_DAYS", 7))
HOCVUSO_TOKEN_DAYS = int(os.environ.get("HOCVUSO_TOKEN_DAYS", 90))
HOCVUSO_SMS_BACKEND = os.environ.get(
    "HOCVUSO_SMS_BACKEND", "hocvuso.accounts.sms.ConsoleSmsBackend"
)
HOCVUSO_PHONE_CODE_MINUTES = 10
HOCVUSO_PHONE_CODE_ATTEMPTS = 5
HOCVUSO_PHONE_CODES_PER_HOUR = 3  # per number
HOCVUSO_SMS_PER_ADDRESS_PER_HOUR = int(os.environ.get("HOCVUSO_SMS_PER_ADDRESS_PER_HOUR", 5))
HOCVUSO_SMS_PER_HOUR = int(os.environ.get("HOCVUSO_SMS_PER_HOUR", 600))  # in all

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["hocvuso.config.formats"]

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HOCVUSO_STATIC_ROOT", DATA_DIR / "static")).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("HOCVUSO_SESSION_MAX_AGE", 12 * 3600))
# Every cookie the platform sets names its SameSite policy (and is Secure in production, below):
# the session, the CSRF token, the language choice and the known-device cookie of sign-in.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("HOCVUSO_SSL_REDIRECT", "1") == "1"
    # The load balancer's health check asks over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("HOCVUSO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.environ.get("HOCVUSO_BEHIND_PROXY", "") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if os.environ.get("HOCVUSO_SSL_REDIRECT", "1") != "1":
        # Redirecting is then the proxy's job; tell Django's deploy check it is handled.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

# --- Logging: identifiers never reach a log line ----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hocvuso.core.logging.RedactIdentifiersFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "hocvuso.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            # HOCVUSO_LOG_FORMAT: "json" (the default in production: one object per line for a
            # log collector) or "plain".
            "formatter": os.environ.get("HOCVUSO_LOG_FORMAT", "json" if PRODUCTION else "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HOCVUSO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
        # The development server's access log: through the redaction filter like every line
        # (Django's default gives it a handler of its own that would print URLs as they came).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The production server's access and error logs (gunicorn.conf.py), likewise.
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Background jobs: stored in the database (no broker), run by `hocvuso db_worker` ---------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("HOCVUSO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Project ------------------------------------------------------------------------------
HOCVUSO_PAGE_SIZE = 25
# A background job's run silent for this long is taken for dead and resumed by another worker.
HOCVUSO_JOB_LEASE_SECONDS = int(os.environ.get("HOCVUSO_JOB_LEASE_SECONDS", 120))
HOCVUSO_IMPORT_MAX_BYTES = int(os.environ.get("HOCVUSO_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
# Request bodies by route (core.security.RequestSizeMiddleware): large only where files or
# batches arrive, small for anonymous forms, a middle size for the rest.
HOCVUSO_LARGE_REQUEST_ROUTES = {
    "registry:import_start": HOCVUSO_IMPORT_MAX_BYTES,
    "registry:villages_import": 2 * 1024 * 1024,
    "api:sync_push": 4 * 1024 * 1024,  # 500 records of a field device
}
HOCVUSO_SYNC_BATCH_MAX = 500  # records in one push
HOCVUSO_SYNC_MAX_AGE_DAYS = 366  # a record made longer ago than this is refused
HOCVUSO_SYNC_PULL_OVERLAP_SECONDS = 30  # a pull starts this much before the last one ended
HOCVUSO_MAX_REQUEST_BYTES = int(os.environ.get("HOCVUSO_MAX_REQUEST_BYTES", 1024 * 1024))
HOCVUSO_MAX_ANONYMOUS_REQUEST_BYTES = 64 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = HOCVUSO_IMPORT_MAX_BYTES
HOCVUSO_DEMO_COMMUNE = os.environ.get("HOCVUSO_DEMO_COMMUNE", "")
