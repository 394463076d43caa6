"""Chuangwen settings: one module, driven by CHUANGWEN_* environment variables.

Defaults are safe for a single-machine demo (SQLite in var/, DEBUG off, localhost only).
Production sets CHUANGWEN_DATABASE_URL, CHUANGWEN_ALLOWED_HOSTS and CHUANGWEN_HTTPS.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from chuangwen.lib.secretfile import read_or_create

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHUANGWEN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("CHUANGWEN_DEBUG", False)
HTTPS = env_bool("CHUANGWEN_HTTPS", False)
SECRET_KEY = env_str("CHUANGWEN_SECRET_KEY") or read_or_create(VAR_DIR / "secret.key", 50)
# The audit key lives outside the database so that whoever can write the database cannot
# forge the chain.  Path or literal value; see chuangwen.audit.chain.
AUDIT_KEY_FILE = Path(env_str("CHUANGWEN_AUDIT_KEY_FILE", str(VAR_DIR / "audit.key")))
# Citizens' personal information (phones, names) is encrypted with this key (chuangwen.lib.pi):
# outside the database and outside backups, like the audit key.  After a rotation the previous
# key files stay listed in CHUANGWEN_PI_OLD_KEY_FILES (comma-separated) so old rows still decrypt.
PI_KEY_FILE = Path(env_str("CHUANGWEN_PI_KEY_FILE", str(VAR_DIR / "pi.key")))
PI_OLD_KEY_FILES = [Path(p) for p in env_list("CHUANGWEN_PI_OLD_KEY_FILES", [])]
ALLOWED_HOSTS = env_list("CHUANGWEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CHUANGWEN_CSRF_TRUSTED_ORIGINS", [])
# Proxies whose X-Forwarded-For we believe; a client address from anyone else is REMOTE_ADDR.
TRUSTED_PROXIES = env_list("CHUANGWEN_TRUSTED_PROXIES", [])
CITY_NAME = env_str("CHUANGWEN_CITY_NAME", "上川市")

INSTALLED_APPS = [
    "chuangwen.accounts.admin_site.ChuangwenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Chuangwen apps, in import order: an app may import those above it only.
    "chuangwen.lib",
    "chuangwen.audit",
    "chuangwen.accounts",
    "chuangwen.backup",
    "chuangwen.org",
    "chuangwen.workdays",
    "chuangwen.notifications",
    "chuangwen.attachments",
    "chuangwen.places",
    "chuangwen.problems",
    "chuangwen.tasks",
    "chuangwen.supervision",
    "chuangwen.evaluation",
    "chuangwen.rewards",
    "chuangwen.api",
    "chuangwen.api.open311",
    "chuangwen.console",
    "chuangwen.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chuangwen.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the timeout middleware, which leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    # Administrators' pages from the management network only; before the login requirement,
    # so an outsider does not even get the login redirect.
    "chuangwen.console.middleware.AdminNetworkMiddleware",
    "chuangwen.accounts.middleware.SessionTimeoutMiddleware",
    # Second factor, then a due password change: after the timeout (an expired session goes
    # to the login page, not to the verify page).
    "chuangwen.accounts.middleware.AccountGateMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chuangwen.urls"
WSGI_APPLICATION = "chuangwen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chuangwen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "chuangwen.dashboard.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("CHUANGWEN_DATABASE_URL")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=600, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "chuangwen.sqlite3",
            # Persistent connections: a new connection per request costs most of a request.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
                # busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA secure_delete=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and access ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "chuangwen.accounts.passwords.CharacterClassValidator", "OPTIONS": {"classes": 3}},
    {"NAME": "chuangwen.accounts.passwords.ContextWordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username only from the address that failed: keyed on the pair, so one office behind
# a NAT is not locked out by one colleague's typos.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("CHUANGWEN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CHUANGWEN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "chuangwen.lib.net.client_ip"
AXES_LOCKOUT_CALLABLE = "chuangwen.accounts.views.lockout_response"
AXES_VERBOSE = False

# Networks from which the administrators' pages (/console/, /manage/) may be reached.
ADMIN_NETWORKS = env_list("CHUANGWEN_ADMIN_NETWORKS", ["127.0.0.0/8", "::1/128"])
# Password age (days; 0 switches it off) and how many previous passwords may not be reused.
PASSWORD_MAX_AGE_DAYS = env_int("CHUANGWEN_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY = 5
# Accounts not used for this many days are disabled by `chuangwen disable_stale_accounts`.
ACCOUNT_STALE_DAYS = env_int("CHUANGWEN_ACCOUNT_STALE_DAYS", 90)
OTP_TOTP_ISSUER = "创文平台"

SESSION_IDLE_SECONDS = env_int("CHUANGWEN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("CHUANGWEN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Notifications ------------------------------------------------------------------------
# Channels for the daily digest (`chuangwen notify_digest`) besides the in-app inbox: built-in
# names (inapp, log, outbox) or dotted paths to Channel subclasses (chuangwen.notifications.channels).
NOTIFY_CHANNELS = env_list("CHUANGWEN_NOTIFY_CHANNELS", ["inapp"])

# --- Language, time, files ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "chuangwen" / "static", BASE_DIR / "build" / "vendor"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "CHUANGWEN_STATIC_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = VAR_DIR / "files"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files (attachments app): the largest file accepted, checked before it is read.
# Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, not held in memory.
ATTACHMENT_MAX_MB = env_int("CHUANGWEN_ATTACHMENT_MAX_MB", 20)
# Photos (problem reports, rectification, rechecks): the largest photo accepted before it is
# re-encoded to a metadata-free JPEG (chuangwen.attachments.photos).
PHOTO_MAX_MB = env_int("CHUANGWEN_PHOTO_MAX_MB", 10)

# One cache every worker process of this machine shares (the citizens' and Open311 rate limits
# count in it); files under var/, so nothing else needs to run.  Several machines: point
# CHUANGWEN_CACHE_URL-style settings at Redis instead.  Test workers (pytest-xdist) each get their
# own folder, so one worker's cache.clear() never resets another's counts.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / os.environ.get("PYTEST_XDIST_WORKER", "main")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# 三色督办: a task overdue by more than this many working days is red (yellow up to it).
CHUANGWEN_TASK_RED_AFTER = env_int("CHUANGWEN_TASK_RED_AFTER", 5)
# ...and a problem (整改时限 in working hours) overdue by more than this many working hours.
CHUANGWEN_PROBLEM_RED_AFTER_HOURS = env_int("CHUANGWEN_PROBLEM_RED_AFTER_HOURS", 16)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CHUANGWEN_LOG_LEVEL", "WARNING")},
}
