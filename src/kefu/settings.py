"""Kefu settings. Configuration comes from the environment only.

DATABASE_URL  unset → SQLite (WAL) in var/kefu.sqlite3; postgres://… → PostgreSQL (psycopg 3)
REDIS_URL     unset → Huey on SQLite (var/huey.sqlite3) and a file cache; set → Redis for Huey,
              the cache and the sessions (what several web nodes need)
KEFU_S3_*     KEFU_S3_BUCKET set → attachments on S3-compatible storage (docs/deploy.md)
SECRET_KEY    unset → a key generated once into var/secret_key (embedded mode only)
ALLOWED_HOSTS comma-separated; default localhost names
DEBUG         "1"/"true" turns it on; off otherwise
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("KEFU_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("KEFU_VAR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # Embedded mode: one random key per installation, kept beside the SQLite database.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    # Login throttling (django-axes): failed sign-ins are counted per username and per address.
    "axes",
    "csp",
    # django-ninja as an app: /api/v1/docs serves its vendored Swagger UI (static/ninja/),
    # not the CDN copy it falls back to otherwise (blank offline and refused by the CSP).
    "ninja",
    "kefu.org",
    "kefu.customers",
    "kefu.catalog",
    "kefu.tickets",
    "kefu.sla",
    "kefu.notifications",
    "kefu.aftersales",
    "kefu.quality",
    "kefu.feedback",
    "kefu.analytics",
    "kefu.channels",
    "kefu.knowledge",
    "kefu.registers",
    "kefu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (django-csp; the policy is below).
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy everywhere; Cache-Control: no-store on desk, admin and API answers.
    "kefu.web.middleware.PrivacyHeadersMiddleware",
    # Static files straight from gunicorn: the embedded mode has no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: the refusals are in the user's language. The size bound first:
    # the NUL check parses multipart bodies.
    "kefu.web.middleware.BoundRequestBodyMiddleware",
    "kefu.web.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"

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
                "django.template.context_processors.i18n",
                "kefu.web.context.kefu",
            ],
            # {% url %} with numeric arguments from addresses kept per process instead of a
            # reverse() on every use (kefu.web.addresses).
            "builtins": ["kefu.web.templatetags.kefu_url"],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters bound by the server and statements prepared once per connection after
        # their fifth run (psycopg's automatic preparation): the desk's reads are a dozen small
        # joins each, and PostgreSQL spent more time planning them (2-3 ms for the ticket's
        # eight-table join over its 26 indexes) than running them (issue 14). A pooler in
        # transaction mode needs PgBouncer >= 1.21 with max_prepared_statements, or
        # KEFU_PG_PREPARED_STATEMENTS=0 (docs/deploy.md). Connections are kept ten minutes
        # (conn_max_age, checked before reuse) so that their prepared statements are.
        prepared = os.environ.get("KEFU_PG_PREPARED_STATEMENTS", "1") == "1"
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5 if prepared else None
        )
else:
    SQLITE_CACHE_KB = int(os.environ.get("KEFU_SQLITE_CACHE_KB", "20000"))
    # What SQLite may hold in one process, all its connections together (each request thread
    # and consumer thread has its own connection and page cache): past it, a connection reuses
    # its own least recently used pages instead of taking more. Without it a worker's caches
    # only grow, to the cache size times its threads (37-41 MB in a worker after a few hundred
    # mixed requests at 100,000 tickets, 16 MB with it, and no slower). 12 MB: the server tree's
    # peak ~5 MB lower than at 16, a common word's database time the same within the runs'
    # spread; at 8 MB a region's searches slow down. 0: no bound (issue 14).
    SQLITE_HEAP_KB = int(os.environ.get("KEFU_SQLITE_HEAP_KB", "12000"))
    DATABASES = {
        "default": {
            # Django's SQLite backend whose writers take turns (threads on a lock, processes on a
            # flock of kefu.sqlite3.writers) instead of SQLite's sleeping busy wait
            # (kefu/sqlite_backend/base.py).
            "ENGINE": "kefu.sqlite_backend",
            "NAME": VAR_DIR / "kefu.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the lock up front instead of failing
                # with "database is locked" when it upgrades from a read.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY; "
                    f"PRAGMA cache_size=-{SQLITE_CACHE_KB};"
                    f"PRAGMA soft_heap_limit={SQLITE_HEAP_KB * 1024};"
                ),
            },
            # A file, not :memory:, so that the browser tests' live server threads and worker
            # processes each open their own connection to the same test database.
            "TEST": {"NAME": str(VAR_DIR / "test_kefu.sqlite3")},
            # Kept open between requests and tasks: opening one (and its five PRAGMAs) cost a
            # tenth of a new ticket's CPU in the web worker and a third of a task in the Huey
            # consumer, which closes it after every task otherwise (issue 14).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Several web nodes: a session lives in Redis, whichever node served the login.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kefu",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
    # Django's database sessions, read by a statement compiled once per process.
    SESSION_ENGINE = "kefu.web.sessions"
    HUEY = {
        "huey_class": "kefu.queue_sqlite.KefuSqliteHuey",
        "name": "kefu",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }


def _import_huey_without(*modules: str) -> None:
    """Import huey before Django's app loading does, hiding `modules` from it: huey.storage
    imports redis and psycopg whenever they are installed, for storages Kefu does not use here
    (~38 MB RSS in every process, issue 14). The modules stay importable for everything else."""
    import sys

    hidden = [name for name in modules if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` raises ImportError
    try:
        import huey.storage  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


# Kefu's queue is Redis (REDIS_URL) or SQLite, never huey's PostgreSQL storage.
_import_huey_without("psycopg", *(() if REDIS_URL else ("redis",)))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling on /desk/login/ and /admin/login/: after KEFU_LOGIN_FAILURE_LIMIT wrong
# passwords a username is locked, and so is the address they came from (each counted on its
# own, so one attacker cannot try many usernames, nor many attackers one username), for
# KEFU_LOGIN_LOCKOUT_MINUTES. The admin unlocks by deleting the "access attempt" rows; every
# failure and every sign-in stays in the access logs (admin → Axes).
AXES_FAILURE_LIMIT = int(os.environ.get("KEFU_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KEFU_LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "kefu.web.login.locked_out"
AXES_CLIENT_IP_CALLABLE = "kefu.web.portal_page.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # its log lines would carry usernames and addresses (no PII in logs)
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:queue"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
# Serve from the app folders too, so a missing collectstatic never leaves a page unstyled.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Attachments on S3-compatible object storage (AWS S3, MinIO, Ceph, 阿里云 OSS, 腾讯云 COS …)
# when KEFU_S3_BUCKET is set: every web node then reads and writes the same files
# (pip install "kefu[s3]"; docs/deploy.md). Unset: the local file system under MEDIA_ROOT.
if os.environ.get("KEFU_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["KEFU_S3_BUCKET"],
            "endpoint_url": os.environ.get("KEFU_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KEFU_S3_REGION") or None,
            "access_key": os.environ.get("KEFU_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("KEFU_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("KEFU_S3_PREFIX", "kefu"),
            "addressing_style": os.environ.get("KEFU_S3_ADDRESSING_STYLE") or None,
            # Private objects, read through Kefu's own scope-checked views, never a public URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HSTS: off unless KEFU_HSTS_SECONDS is set (e.g. 31536000 once HTTPS is known to work; a
# browser that saw it refuses plain HTTP to this host for that long). Sent on HTTPS answers only.
SECURE_HSTS_SECONDS = int(os.environ.get("KEFU_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("KEFU_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = False
# Content-Security-Policy: scripts, styles and images from this site only — every page uses
# vendored static files and no inline <script>, <style> or on…= handlers (htmx is configured
# not to inject its indicator styles nor evaluate code). "data:" images for Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no Kefu page uses, turned off for every page (and anything injected into one).
KEFU_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)
SESSION_COOKIE_SECURE = env_flag("HTTPS")
CSRF_COOKIE_SECURE = env_flag("HTTPS")

# Attachments: what a customer or agent may upload. Types are sniffed from the bytes.
KEFU_ATTACHMENT_MAX_BYTES = int(os.environ.get("KEFU_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# Bodies held in memory: a form or JSON body above 2.5 MB is refused (400); an uploaded file above
# 1 MB streams to a temporary file instead of memory. Multipart bodies are bounded by
# kefu.web.middleware.BoundRequestBodyMiddleware (KEFU_ATTACHMENT_MAX_BYTES, 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Raw inbound mail from a mail gateway (POST /api/v1/channels/email/inbound) may be larger than
# any upload: that one path has its own bound (30 MB by default), read as a stream by the view.
KEFU_INBOUND_MAIL_MAX_BYTES = int(os.environ.get("KEFU_INBOUND_MAIL_MAX_BYTES", 30 * 1024 * 1024))
# Paths with their own body bound (bytes) instead of the upload limit; each reads its body itself.
KEFU_BODY_BOUNDS = {"/api/v1/channels/email/inbound": KEFU_INBOUND_MAIL_MAX_BYTES}
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
KEFU_ATTACHMENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "video/mp4",
    "audio/mpeg",
    "audio/x-wav",
    "audio/mp4",
}
# Portal: tickets one address may submit per hour (a CAPTCHA-free rate limit).
KEFU_PORTAL_SUBMISSIONS_PER_HOUR = int(os.environ.get("KEFU_PORTAL_SUBMISSIONS_PER_HOUR", 10))
# Tracking page: messages one address may send per hour (a customer chats; a script floods).
KEFU_PORTAL_MESSAGES_PER_HOUR = int(os.environ.get("KEFU_PORTAL_MESSAGES_PER_HOUR", 30))
# How many reverse proxies in front of Kefu append to X-Forwarded-For (nginx alone: 1). 0, the
# default, ignores the header: the visitor's address is the connection's. Used by the portal's
# rate limits and the login lockout.
KEFU_TRUSTED_PROXIES = int(os.environ.get("KEFU_TRUSTED_PROXIES", 0))
if KEFU_TRUSTED_PROXIES:
    # The trusted proxy terminates TLS and says so; HSTS and secure redirects rely on it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Outgoing mail (notification copies). Unset EMAIL_HOST: no mail is sent at all (Django's own
# default, "localhost", would make every install try an SMTP server it does not have).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kefu@localhost")
# Where customers reach the portal (e.g. https://kefu.example.cn): mails carry full links, such as
# the satisfaction survey. Unset: no survey mail (the survey still shows on the tracking page).
KEFU_PUBLIC_URL = os.environ.get("KEFU_PUBLIC_URL", "")
# Retention (PIPL): customers with no activity for this many years are anonymised nightly.
KEFU_RETENTION_YEARS = int(os.environ.get("KEFU_RETENTION_YEARS", "3"))
# Report and queue exports: an Excel ticket list longer than this is built by the task consumer
# (the requester is notified and downloads it from 导出记录) instead of while the browser
# waits (~2 s per 10,000 rows); built files are kept this many days.
KEFU_EXPORT_INLINE_ROWS = int(os.environ.get("KEFU_EXPORT_INLINE_ROWS", "10000"))
KEFU_EXPORT_KEEP_DAYS = int(os.environ.get("KEFU_EXPORT_KEEP_DAYS", "7"))

# Customer channels (kefu.channels). Nothing set: every message goes to the delivery log and the
# console. SMS through Aliyun SMS when KEFU_SMS_BACKEND=aliyun; WeChat customer-service messages
# when the Official Account's app id and secret are set.
KEFU_SMS_BACKEND = os.environ.get("KEFU_SMS_BACKEND", "console")
KEFU_ALIYUN_ACCESS_KEY_ID = os.environ.get("KEFU_ALIYUN_ACCESS_KEY_ID", "")
KEFU_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("KEFU_ALIYUN_ACCESS_KEY_SECRET", "")
KEFU_ALIYUN_SMS_SIGN_NAME = os.environ.get("KEFU_ALIYUN_SMS_SIGN_NAME", "")
KEFU_ALIYUN_SMS_ENDPOINT = os.environ.get(
    "KEFU_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
# JSON {"template name": "SMS_123456789"}: the template codes Aliyun approved for this account.
KEFU_ALIYUN_SMS_TEMPLATE_CODES = os.environ.get("KEFU_ALIYUN_SMS_TEMPLATE_CODES", "")
KEFU_WECHAT_APPID = os.environ.get("KEFU_WECHAT_APPID", "")
KEFU_WECHAT_SECRET = os.environ.get("KEFU_WECHAT_SECRET", "")
KEFU_WECHAT_TOKEN = os.environ.get("KEFU_WECHAT_TOKEN", "")
# Encrypted mode (安全模式 / 兼容模式): the account's 43-character EncodingAESKey.
KEFU_WECHAT_AES_KEY = os.environ.get("KEFU_WECHAT_AES_KEY", "")
KEFU_WECHAT_API_BASE = os.environ.get("KEFU_WECHAT_API_BASE", "https://api.weixin.qq.com")
# Template ids of the account's template messages, JSON {"visit_booked": "<template_id>", …},
# over the placeholders in channels/data/rules.v1.json → wechat_templates.
KEFU_WECHAT_TEMPLATE_IDS = os.environ.get("KEFU_WECHAT_TEMPLATE_IDS", "")
KEFU_HOTLINE_SECRET = os.environ.get("KEFU_HOTLINE_SECRET", "")
# The support mailbox: From / Reply-To of customer mail, and never answered itself (no loops).
KEFU_SUPPORT_EMAIL = os.environ.get("KEFU_SUPPORT_EMAIL", "")
# IMAP poller (every minute when KEFU_IMAP_HOST is set); new mail opens tickets at this store.
KEFU_IMAP_HOST = os.environ.get("KEFU_IMAP_HOST", "")
KEFU_IMAP_PORT = int(os.environ.get("KEFU_IMAP_PORT", 993))
KEFU_IMAP_USER = os.environ.get("KEFU_IMAP_USER", "")
KEFU_IMAP_PASSWORD = os.environ.get("KEFU_IMAP_PASSWORD", "")
KEFU_IMAP_SSL = env_flag("KEFU_IMAP_SSL", default=True)
KEFU_IMAP_FOLDER = os.environ.get("KEFU_IMAP_FOLDER", "INBOX")
KEFU_EMAIL_STORE = os.environ.get("KEFU_EMAIL_STORE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_pii": {"()": "kefu.logging.RedactPII"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_pii"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 100
