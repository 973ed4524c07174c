"""Kehu settings, read from environment variables (see .env.example)."""

import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_percent(name: str, default: str) -> Decimal:
    raw = env.str(name, default=default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(-1)
    if not Decimal(0) <= value <= Decimal(100):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a percentage between 0 and 100.")
    return value


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker and systemd style)."""
    if value := env.str(name, default=""):
        return value
    if path := env.str(f"{name}_FILE", default=""):
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return None


VAR_DIR = Path(env.str("KEHU_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
EMBEDDED = not env.str("DATABASE_URL", default="")


def _secret_key() -> str:
    if key := env_secret("SECRET_KEY"):
        return key
    if not (EMBEDDED or DEBUG):
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DATABASE_URL is set.")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",
    "simple_history",
    "axes",
    "huey.contrib.djhuey",
    "kehu.core",
    "kehu.org",
    "kehu.customers",
    "kehu.notifications",
    "kehu.leads",
    "kehu.followups",
    "kehu.workbench",
    "kehu.pool",
    "kehu.sales.opportunities",
    "kehu.sales.products",
    "kehu.sales.quotes",
    "kehu.sales.orders",
    "kehu.sales.contracts",
    "kehu.sales.payments",
    "kehu.sales.statistics",
    "kehu.analytics",
    "kehu.targets",
    "kehu.approvals",
    "kehu.sampledata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kehu.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kehu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kehu.notifications.context_processors.unread_notifications",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]


# Database: SQLite file under var/ by default, PostgreSQL (or any) through DATABASE_URL.
def _database() -> dict:
    url = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'kehu.sqlite3'}"
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, KeyError, ImproperlyConfigured):
        config = {}
    if not config.get("ENGINE") or config["ENGINE"].rsplit(".", 1)[-1] not in {"sqlite3", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL (scheme {url.partition('://')[0]!r}) is not understood: use "
            "sqlite:////absolute/path.sqlite3 or postgres://user:password@host:5432/name."
        )
    return config


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env.str("KEHU_TEST_SQLITE", default="") or None}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiling costs 1–2 s on the reports' larger plans and never pays back on these short queries.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"-c jit=off {options.get('options', '')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes list INCLUDE columns for PostgreSQL; SQLite builds them without (and says so).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "kehu.org.backends.RoleModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Sessions, cookies, transport security.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # ECharts and Bootstrap position elements through inline style attributes.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kehu" / "locale"]
FORMAT_MODULE_PATH = ["kehu.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="CNY")
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="CN")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "kehu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

_mail_backend = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
_mail_options = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": env_secret("EMAIL_HOST_PASSWORD") or "",
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kehu@localhost")

# Background jobs: huey on a SQLite file by default, on Redis when REDIS_URL is set. A pytest run (pytest
# sets PYTEST_VERSION before Django starts) queues in memory and never adds jobs to the real queue; the
# huey_immediate fixture in conftest.py runs them in-process.
HUEY = {
    "name": "kehu",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if env.str("PYTEST_VERSION", default=""):
    HUEY |= {"huey_class": "huey.MemoryHuey"}
elif REDIS_URL:
    HUEY |= {"huey_class": "huey.PriorityRedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}

NINJA_PAGINATION_PER_PAGE = 50
KEHU_EXPORT_MAX_ROWS = env_int("KEHU_EXPORT_MAX_ROWS", 200_000)
KEHU_LEAD_CLAIMS_PER_DAY = env_int("KEHU_LEAD_CLAIMS_PER_DAY", 20)
KEHU_LEAD_BATCH_MAX = 500  # leads in one POST /api/v1/leads
KEHU_IMPORT_MAX_BYTES = env_int("KEHU_IMPORT_MAX_MB", 50) * 1024 * 1024
# .xlsx files up to this size are read with python-calamine (~15 MB of memory per MB of file); 0: never
KEHU_IMPORT_XLSX_IN_MEMORY_BYTES = env_int("KEHU_IMPORT_XLSX_IN_MEMORY_MB", 8) * 1024 * 1024
KEHU_WEB_FORM_RATE = env_int("KEHU_WEB_FORM_RATE", 10)  # submissions per minute from one address
KEHU_QUOTE_VALID_DAYS = env_int("KEHU_QUOTE_VALID_DAYS", 30)  # a new quote's validity
KEHU_ATTACHMENT_MAX_MB = env_int("KEHU_ATTACHMENT_MAX_MB", 20)  # largest file attached to a contract
KEHU_RECEIVABLE_WARN_DAYS = env_int("KEHU_RECEIVABLE_WARN_DAYS", 7)  # remind owners this many days ahead
KEHU_DEFAULT_TAX_RATE = env_percent("KEHU_DEFAULT_TAX_RATE", "13")  # % on free-text quote lines
# The seller on printed quotes.
KEHU_COMPANY_NAME = env.str("KEHU_COMPANY_NAME", default="")
KEHU_COMPANY_ADDRESS = env.str("KEHU_COMPANY_ADDRESS", default="")
KEHU_COMPANY_PHONE = env.str("KEHU_COMPANY_PHONE", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# The huey consumer logs once, through the console handler (run_huey adds a second handler otherwise).
LOGGING["loggers"]["huey"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
