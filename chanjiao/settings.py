"""Chanjiao settings, read from the environment (see .env.example).

Profiles: CHANJIAO_PROFILE=demo (default: embedded SQLite, HTTP on loopback),
test (set by pytest), production (fail fast on missing secrets, HTTPS-only cookies, HSTS).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chanjiao.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHANJIAO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PROFILE = env_str("CHANJIAO_PROFILE", "demo")
if PROFILE not in {"demo", "test", "production"}:
    raise ImproperlyConfigured("CHANJIAO_PROFILE must be demo, test or production")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Demo and test: a random key kept in var/ so sessions survive a restart.
    path = VAR_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves its Swagger UI from local static files, not a CDN
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "chanjiao.core",
    "chanjiao.accounts",
    "chanjiao.catalog",
    "chanjiao.orgs",
    "chanjiao.engagement",
    "chanjiao.layout",
    "chanjiao.reports",
    "chanjiao.matching",
    "chanjiao.api",
    "chanjiao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chanjiao.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "chanjiao.core.middleware.RequestContextMiddleware",
    "chanjiao.core.middleware.DenyByDefaultMiddleware",
    "chanjiao.core.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "chanjiao.core.denials.AccessDeniedMiddleware",  # 403/404 → security event, outside the view's transaction
    "chanjiao.core.db.RequestTransactionMiddleware",  # last: wraps the view like ATOMIC_REQUESTS
]

ROOT_URLCONF = "chanjiao.urls"
WSGI_APPLICATION = "chanjiao.wsgi.application"

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
                "chanjiao.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chanjiao.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
# PostgreSQL's JIT compiles the long analytical statements (the fit analytics' Figures) for longer than
# they run: measured 21.7 s of a 22.6 s statement (benchmarks/README.md, layout). The platform's queries are
# short or index-driven; JIT only ever cost time here.
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Connection reuse on PostgreSQL (issue #8 point 3): otherwise every request starts a new backend (a
# fork, authentication, cold catalog caches). DB_POOL_MAX > 0 gives each server process a psycopg pool
# (Django's OPTIONS["pool"]); production defaults to one, the other profiles to none. Django refuses a
# pool together with CONN_MAX_AGE, so the pool wins; without one, DB_CONN_MAX_AGE keeps a connection.
DB_POOL_MAX = env_int("DB_POOL_MAX", 4 if PRODUCTION else 0)
if "postgresql" in DATABASES["default"]["ENGINE"] and DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env_int("DB_POOL_MIN", 1), DB_POOL_MAX), "max_size": DB_POOL_MAX,
        # Seconds a request waits for a free connection before it fails (psycopg_pool.PoolTimeout).
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
elif DATABASES["default"].get("CONN_MAX_AGE"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a reused connection the server dropped is reopened
# A write request runs in one transaction: a refused write (scoping re-check, audit failure) rolls
# back whole. On SQLite only unsafe methods do (chanjiao.core.db.RequestTransactionMiddleware), so
# page views never hold the single write lock; PostgreSQL keeps one transaction per request.
# REQUEST_TRANSACTIONS=legacy restores ATOMIC_REQUESTS everywhere (before/after benchmark only).
REQUEST_TRANSACTIONS = env_str("REQUEST_TRANSACTIONS", "by_method")
if REQUEST_TRANSACTIONS not in {"by_method", "legacy"}:
    raise ImproperlyConfigured("REQUEST_TRANSACTIONS must be by_method or legacy")
DATABASES["default"]["ATOMIC_REQUESTS"] = not (
    DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and REQUEST_TRANSACTIONS == "by_method"
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Read replica (issue #8 point 6, core/db_router.py): with DATABASE_REPLICA_URL (a PostgreSQL hot standby)
# the statistics' counting queries read there; unset, there is no second alias and no router, as before.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    if "postgresql" not in DATABASES["default"]["ENGINE"] or "postgresql" not in _replica["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica")
    # The primary's connection handling (persistence, pooling), the replica's own address and options.
    _replica["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    _replica["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_HEALTH_CHECKS", False)
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["ATOMIC_REQUESTS"] = False  # read-only: no request transaction (core/db.py skips it too)
    _replica["TEST"] = {"MIRROR": "default"}  # tests never create a database on the standby
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["chanjiao.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ID-02: length, character classes, common list, similarity; all configurable.
PWD_MIN_LEN = env_int("PWD_MIN_LEN", 8)
PWD_MAX_LEN = env_int("PWD_MAX_LEN", 64)
PWD_MIN_CLASSES = env_int("PWD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": PWD_MIN_LEN}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "chanjiao.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": PWD_MIN_CLASSES}},
    {"NAME": "chanjiao.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": PWD_MAX_LEN}},
    {"NAME": "chanjiao.accounts.validators.UsernameInPasswordValidator"},
]

# ID-06 / ID-07: lockout per (username, IP) pair with a cool-off, never permanent.
LOCKOUT_FAILURES = env_int("LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 30)
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Log-in ignores the case of usernames (ID-01), so the lockout counter must too.
AXES_USERNAME_CALLABLE = "chanjiao.accounts.models.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "chanjiao.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None

# ID-08: idle timeout. The expiry moves forward on every request, so it is an idle limit.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
# The region this deployment serves (a province "42", a city "4205"; empty: nationwide). A bureau-level
# grant whose jurisdiction covers it reaches everything here, without a region filter (issue #8 point 0).
DEPLOYMENT_REGION = env_str("DEPLOYMENT_REGION", "")
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)
AUDIT_MIN_RETENTION_DAYS = 183  # 网络安全法 Art. 21: at least six months online.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 5_000)
# Jobs (core/jobs.py): a list export of more rows runs in the background; results kept this many days.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 5_000)
# The to-do panel lists agreements ending within this many days (issue #9 point 3).
AGREEMENT_EXPIRY_NOTICE_DAYS = env_int("AGREEMENT_EXPIRY_NOTICE_DAYS", 60)
JOB_RESULT_DAYS = env_int("JOB_RESULT_DAYS", 7)
# Attachments (core/attachments.py): refused above this size, before the file is read.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

FILTERS_EMPTY_CHOICE_LABEL = _("全部")
FILTERS_NULL_CHOICE_LABEL = _("（空）")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# One date format everywhere (2016-10-20): display formats per language in chanjiao/formats/.
FORMAT_MODULE_PATH = ["chanjiao.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments: files under ATTACHMENT_DIR by default; ATTACHMENT_STORAGE_BACKEND=storages.backends.s3.S3Storage
# (django-storages, installed separately — docs/deployment.md) when several web servers share them (S3, MinIO).
_ATTACHMENT_BACKEND = env_str("ATTACHMENT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
_ATTACHMENT_STORAGE: dict = {"BACKEND": _ATTACHMENT_BACKEND}
if _ATTACHMENT_BACKEND == "django.core.files.storage.FileSystemStorage":
    _ATTACHMENT_STORAGE["OPTIONS"] = {"location": Path(env_str("ATTACHMENT_DIR", str(VAR_DIR / "attachments")))}
else:  # S3-compatible: files are streamed through the scoped download view, never by a bucket URL
    if not env_str("ATTACHMENT_S3_BUCKET"):
        raise ImproperlyConfigured("ATTACHMENT_S3_BUCKET is required with ATTACHMENT_STORAGE_BACKEND")
    _ATTACHMENT_STORAGE["OPTIONS"] = {
        "bucket_name": env_str("ATTACHMENT_S3_BUCKET"),
        "endpoint_url": env_str("ATTACHMENT_S3_ENDPOINT_URL") or None,
        "region_name": env_str("ATTACHMENT_S3_REGION") or None,
        "access_key": env_str("ATTACHMENT_S3_ACCESS_KEY"),
        "secret_key": env_str("ATTACHMENT_S3_SECRET_KEY"),
        "file_overwrite": False,
        "default_acl": "private",
    }
# Job results (exports, reports): the attachments' backend, under their own folder or prefix, so every
# web server and worker of a scaled-out deployment reads the same files.
_JOB_STORAGE: dict = {"BACKEND": _ATTACHMENT_BACKEND, "OPTIONS": dict(_ATTACHMENT_STORAGE["OPTIONS"])}
if _ATTACHMENT_BACKEND == "django.core.files.storage.FileSystemStorage":
    _JOB_STORAGE["OPTIONS"]["location"] = Path(env_str("JOB_RESULT_DIR", str(VAR_DIR / "jobs")))
else:
    _JOB_STORAGE["OPTIONS"]["location"] = "jobs"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    # Uploaded documents, never served as static files: only through the scoped download view.
    "attachments": _ATTACHMENT_STORAGE,
    # Results of background jobs: only through the owner's download view.
    "jobs": _JOB_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if PROFILE == "test"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "redis": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # RQ kills a job after 180 s by default; an import of IMPORT_MAX_ROWS rows takes ~90 s at the measured
    # rate (docs/PERFORMANCE.md) and longer on a busy worker. The reaper (60 min) stays the real bound.
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

HTTPS = env_bool("HTTPS", PRODUCTION)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
