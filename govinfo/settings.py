"""govinfo settings: one file, driven by environment variables (django-environ).

Defaults are embedded so that `make run` works on a bare machine: SQLite under var/,
Celery over kombu's filesystem transport under var/, a generated dev secret key.
Set GOVINFO_ENV=production for a real installation: it refuses to start without
SECRET_KEY and turns on secure cookies and HSTS.
"""

import secrets
from importlib.util import find_spec
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; absent on most machines

VAR_DIR = Path(env("GOVINFO_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

GOVINFO_ENV = env("GOVINFO_ENV", default="development")
PRODUCTION = GOVINFO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)


def _secret_key() -> str:
    key = env("SECRET_KEY", default="")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY 环境变量（SECRET_KEY is required in production).")
    # Development: one key per checkout, kept in var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _item_keys() -> list[str]:
    keys = env.list("ITEM_ENCRYPTION_KEYS", default=[])
    if keys:
        return keys
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置 ITEM_ENCRYPTION_KEYS（敏感信息加密密钥）。")
    from cryptography.fernet import Fernet

    key_file = VAR_DIR / "item_encryption_key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


# Keys that seal the text of 敏感 items at rest; the first encrypts, all decrypt.
ITEM_ENCRYPTION_KEYS = _item_keys()
# SM4-GCM everywhere (商用密码, GB/T 39786), so that development and the tests run the path
# production runs; ITEM_CIPHER=fernet is still possible, and ciphertexts of either stay
# readable (submissions/sealing.py). The development key (var/item_encryption_key, a
# Fernet key) serves both ciphers: the SM4 key is derived from it.
ITEM_CIPHER = env("ITEM_CIPHER", default="sm4")
if ITEM_CIPHER not in ("sm4", "fernet"):
    raise ImproperlyConfigured(f"ITEM_CIPHER 只能是 sm4 或 fernet，现在是 {ITEM_CIPHER!r}。")


def _audit_chain_key() -> str:
    key = env("AUDIT_CHAIN_KEY", default="")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置 AUDIT_CHAIN_KEY（审计记录防篡改校验密钥）。")
    key_file = VAR_DIR / "audit_chain_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# The HMAC-SM3 key of the audit record's and the points ledger's chains (audit/chain.py).
AUDIT_CHAIN_KEY = _audit_chain_key()
# Audit rows younger than this cannot be pruned; GB/T 22239 8.1.4.3 and the 网络安全法
# ask for at least six months.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
if AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS 不能少于 184 天（审计记录至少保存六个月）。")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "govinfo.admin_config.GovinfoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govinfo",
    "audit",
    "units",
    "submissions",
    "publications",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Database unreachable → a Chinese 503 page that keeps the posted text (inside CSRF,
    # so the fresh token's cookie is set; outside everything that queries the database).
    "govinfo.middleware.dberrors.DatabaseUnavailableMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store for signed-in pages and downloads (outside the pages' own).
    "govinfo.middleware.cache.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "govinfo.middleware.login.LoginRequiredExceptApi",
    # Who is acting, for the audit record (audit/context.py); reads the user lazily.
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (they say why the person was sent to the login or 2FA page).
    "govinfo.middleware.sessions.SessionTimeoutMiddleware",
    "govinfo.middleware.twofactor.TwoFactorMiddleware",
    # After the second factor: a one-time password (directory import) must be changed first.
    "units.directory.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # DEBUG shows the Chinese 404 page, not Django's list of URL patterns (inner: the page
    # needs the user, messages and CSP nonce set above).
    "govinfo.errorpages.ChineseNotFoundInDebugMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govinfo.urls"
WSGI_APPLICATION = "govinfo.wsgi.application"

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
                "units.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'govinfo.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, for the test database: threads in concurrency tests and a real
    # Celery worker process can then share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # No JIT: it compiles any query whose estimated cost passes 100,000, which every
        # search does (the grams function is priced as what it costs, migration 0011 of
        # submissions), and compiling takes 20–40 ms, more than such a query runs. A web
        # application of short queries gains nothing from it.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The ledger's covering index (INCLUDE columns) is a PostgreSQL optimisation; on the
# embedded SQLite default it is an ordinary index, which is fine for a demo.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "units.User"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by web, worker and beat, unlike the per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication, sessions, throttling ---------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses the demo logins in production (units/demo_guard.py); authenticates nobody.
    "units.backends.DemoLoginGuard",
    # Django's ModelBackend, but a superuser is refused in production (三员分立).
    "units.backends.LocalAccountBackend",
]
# Directory login (LDAP / Active Directory, django-auth-ldap), on when LDAP_SERVER_URI is
# set (README "目录登录"). It sits after axes (lockout still counts) and before the local
# accounts, so that a person disabled in the directory is refused even with a local
# password; the three first administrators and offices without a directory keep
# ModelBackend. LDAP_UNIT_ATTR names the attribute holding the person's unit code.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    from govinfo.ldapconf import BACKEND as _LDAP_BACKEND  # noqa: E402
    from govinfo.ldapconf import ldap_settings  # noqa: E402

    globals().update(
        ldap_settings(
            server_uri=LDAP_SERVER_URI,
            bind_dn=env("LDAP_BIND_DN", default=""),
            bind_password=env("LDAP_BIND_PASSWORD", default=""),
            search_base=env("LDAP_USER_SEARCH_BASE"),
            user_filter=env("LDAP_USER_FILTER", default="(uid=%(user)s)"),
            unit_attr=env("LDAP_UNIT_ATTR", default="departmentNumber"),
            disabled_filter=env("LDAP_DISABLED_FILTER", default=""),
            name_attr=env("LDAP_NAME_ATTR", default="cn"),
        )
    )
    AUTHENTICATION_BACKENDS.insert(1, _LDAP_BACKEND)
# The password policy (GB/T 22239 8.1.4.1; units/passwords.py): its numbers are set in
# admin → 单位与人员 → 密码策略. HistoryValidator also writes the history, the expiry date
# and the audit row after every password saved.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "units.passwords.ComplexityValidator"},
    {"NAME": "units.passwords.NoUserNameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "units.passwords.HistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked account opens again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lockout answer: that page for the login page, the API's JSON error for the API.
AXES_LOCKOUT_CALLABLE = "govinfo.clientip.lockout_response"
# Password spraying (one address, many user names) is limited per address across names,
# higher than per name so that an office behind one address is not locked by a few typos.
AXES_HANDLER = "govinfo.clientip.AddressLimitHandler"
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
# Behind nginx every request comes from 127.0.0.1; nginx sets X-Real-IP to the client's
# address (overwriting anything the client sent), so throttling counts per real client.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=PRODUCTION)
AXES_CLIENT_IP_CALLABLE = "govinfo.clientip.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# SESSION_COOKIE_AGE is also the absolute limit, counted from login (govinfo/middleware/sessions.py);
# a session unused for SESSION_IDLE_TIMEOUT seconds ends too.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# An API token ends this long after it was obtained (govinfo/api/authentication.py), like
# a session after login; sign-out, password, role and second-factor changes end it sooner.
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=8 * 3600)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Two-factor login (TOTP, units/twofactor/): required for editors, issue approvers,
# administrators and superusers; anyone else may opt in. Wrong codes back off
# exponentially per device (1, 2, 4 … seconds).
OTP_TOTP_ISSUER = "政务信息报送系统"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or QR code

# Content-Security-Policy (django-csp): scripts only from our own static files, no inline
# script, no eval. Styles keep 'unsafe-inline' because templates set computed widths in
# style attributes (progress bars, tree indentation) and Plotly, Bootstrap and Swagger UI
# write inline styles. Inline styles cannot run script.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root before collectstatic
# Bootstrap's compiled CSS/JS come from the bootstrap-wrapper wheel; htmx from django-htmx;
# the chart library from the plotly wheel.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", Path(find_spec("bootstrap_wrapper").origin).parent.parent / "bootstrap"),
    # Plotly's browser bundle, shipped inside the plotly wheel, draws the scoreboard charts.
    ("vendor/plotly", Path(find_spec("plotly").origin).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"  # outside the web root; files are served through views

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "govinfo.api.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "govinfo.api.pagination.Pagination",
    "PAGE_SIZE": 30,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "govinfo.api.errors.api_exception_handler",
    # JSON with bounded nesting (a 400, not a RecursionError); forms and uploads as DRF's.
    "DEFAULT_PARSER_CLASSES": [
        "govinfo.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Keyed on the trusted client address (govinfo/clientip.py), not X-Forwarded-For.
    "DEFAULT_THROTTLE_CLASSES": ["govinfo.api.throttles.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("API_TOKEN_RATE", default="20/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govinfo API",
    "DESCRIPTION": "政务信息报送系统 JSON API：与网页使用同一套业务规则。错误统一为 {code, message, errors}。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Like every page but the public ones, the schema and its docs need a signed-in caller.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ItemStateEnum": "submissions.models.State",
        "ItemFormEnum": "submissions.models.ItemForm",
        "IssueStateEnum": "publications.models.IssueState",
        "UnitKindEnum": "units.models.UnitKind",  # units read and written (the directory API)
    },
}

# --- Mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="govinfo@localhost")
# The address people open the site at, for links in e-mails. `make run` (manage.py runall)
# sets it from the address it serves; a real installation must name it, or every link
# in a notice would point at 127.0.0.1 on the reader's own computer.
SITE_URL = env("SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "生产环境必须设置 SITE_URL（邮件中链接的网址，如 https://govinfo.example.gov.cn）"
        "（SITE_URL is required in production)."
    )

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
_queue_dir = VAR_DIR / "celery" / "queue"
_processed_dir = VAR_DIR / "celery" / "processed"
_control_dir = VAR_DIR / "celery" / "control"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for d in (_queue_dir, _processed_dir, _control_dir):
        d.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        # Broadcast (pidbox) messages too, or kombu writes them to ./control.
        "control_folder": str(_control_dir),
    }
else:
    # A task not acknowledged within this time is handed to another worker; it must be
    # longer than the longest task (compiling a bulletin takes seconds, not hours).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}

_results_dir = VAR_DIR / "celery" / "results"
if CELERY_BROKER_URL.startswith("redis://") or CELERY_BROKER_URL.startswith("rediss://"):
    _default_backend = CELERY_BROKER_URL
else:
    _results_dir.mkdir(parents=True, exist_ok=True)
    _default_backend = f"file://{_results_dir}"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_default_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
# Lose no work: acknowledge after the task ran, requeue when a worker dies, take one
# task at a time. Tasks are written to be safe when delivered twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "govinfo.heartbeat", "schedule": 60.0},
    # Every half hour in the evening: a run lost to a crash is caught up by the next.
    "compile-due-bulletins": {
        "task": "publications.compile_due_bulletins",
        "schedule": crontab(minute="0,30", hour="17-23"),
    },
    # Reminders and deadline checks: each is idempotent (keyed reminders, one penalty per
    # fault), so they simply run often and catch up after a lost run.
    "remind-commissions": {"task": "submissions.remind_commissions", "schedule": crontab(minute=5)},
    "check-monthly-progress": {"task": "submissions.check_monthly_progress", "schedule": crontab(minute=15, hour=9)},
    "check-feedback-deadlines": {"task": "publications.check_feedback_deadlines", "schedule": crontab(minute=25)},
    # Signed issues still without a PDF (a lost or failed make_issue_pdf) get one.
    "make-missing-pdfs": {"task": "publications.make_missing_pdfs", "schedule": crontab(minute="*/15")},
    # Daily: accounts unused for the policy's inactive_days are disabled (never deleted);
    # running twice disables nobody new, a lost run is caught up by the next.
    "disable-inactive-accounts": {"task": "units.disable_inactive_accounts", "schedule": crontab(minute=40, hour=1)},
    # Daily: 敏感 items' attachment files a lost on_commit left in plaintext get sealed.
    "seal-attachment-files": {"task": "submissions.seal_attachment_files", "schedule": crontab(minute=50, hour=1)},
    # Every minute: audit and ledger rows a lost on_commit left unlinked get their chain value.
    "link-audit-chains": {"task": "audit.link_chains", "schedule": 60.0},
}
if LDAP_SERVER_URI:
    # Nightly: people created, changed and disabled as in the directory; a lost run is
    # caught up by the next (the sync compares the whole directory each time).
    CELERY_BEAT_SCHEDULE["sync-directory"] = {"task": "units.sync_directory", "schedule": crontab(minute=30, hour=2)}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "govinfo.logformat.JsonFormatter"},
    },
    # LOG_FORMAT=json in production gives one JSON object per line.
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env("LOG_FORMAT", default="plain")}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Demo logins share one password unless DEMO_PASSWORD says otherwise.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="govinfo-demo-2026")
