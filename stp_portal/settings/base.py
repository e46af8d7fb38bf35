"""Settings shared by every environment, read from the environment (12-factor).

Every variable is listed with its default in ``.env.example``. The embedded default runs on a
SQLite file with Celery tasks executed in-process, so a fresh machine needs nothing else.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set the variables in the environment.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    # Ours, layered (README):
    # core ← audit ← accounts ← parks ← tenants ← returns ← subsidies ← reports.
    "core",
    # After auditlog: its admin replaces auditlog's LogEntry admin with a read-only one.
    "audit",
    "accounts",
    "parks",
    "tenants",
    "returns",
    "subsidies",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost, so every answer gets them, the refusals of the guards below included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "stp_portal.middleware.PrivateResponseMiddleware",
    "stp_portal.middleware.StatementTimeoutMiddleware",
    # Before anything reads the body or the path: over-limit bodies and unusable characters.
    "stp_portal.middleware.RequestBodyLimitMiddleware",
    "stp_portal.middleware.UnusableCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail (docs/security.md): writes get their actor, address and origin; a 403/404
    # answered to a signed-in user is a security event.
    "audit.middleware.AuditMiddleware",
    "audit.middleware.RefusalMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page over its rate limit answers 429 (RATELIMIT_VIEW), not django-ratelimit's 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last: it sees the lockout flag set while signing in and answers with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stp_portal.urls"
WSGI_APPLICATION = "stp_portal.wsgi.application"

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
                # The sections of the side navigation and the breadcrumbs (no query).
                "core.navigation.navigation",
            ],
        },
    },
]

# --- Database: DATABASE_URL, embedded SQLite file by default -----------------------------
DATABASES = {
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Bounded work per request (issue 9): on PostgreSQL, a statement running longer than this
# (milliseconds) is cancelled and the request answers 503. Set for the web processes only
# (docker-compose.yml): the worker's billing and the streamed exports run without it. 0: off.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=0)
if DB_STATEMENT_TIMEOUT_MS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
# The collections report's covering index (subsidies statement_owed_cover) includes two
# columns PostgreSQL reads from the index alone; SQLite, the embedded default, keeps its keys
# and ignores the included columns, which is all Django's warning says.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Django's form renderer, with selects written in Python (core.rendering: 250 parks a filter).
FORM_RENDERER = "core.rendering.FormRenderer"
# {% icon "name" %} raises for a name the sprite lacks (a typo) in development and tests.
ICONS_STRICT = DEBUG

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out user and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Sign-in, sessions, tokens (docs/security.md) -------------------------------------------
# The client address is the connecting peer unless this many proxies of ours stand in front:
# then it is that many hops from the right of X-Forwarded-For. Never a header anyone can set.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Lock-out per username and address (django-axes): after this many failures, a cool-off.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "stp_portal.security.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Every successful sign-in is recorded by the audit trail, not twice by axes.
AXES_DISABLE_ACCESS_LOG = True
# Second factor (TOTP, django-otp) for PSEB staff and park managers; off for the local demo.
STAFF_TWO_FACTOR = env.bool("STAFF_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = "STP Portal"
# Idle timeouts (minutes): a session ends after this long without a request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# A sign-up must confirm its e-mail address within this many days.
EMAIL_VERIFICATION_DAYS = env.int("EMAIL_VERIFICATION_DAYS", default=3)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
# API tokens are stored hashed (django-rest-knox) and expire.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Page rate limits (django-ratelimit), per client address.
RATELIMIT_IP_META_KEY = "stp_portal.security.client_ip"
RATELIMIT_VIEW = "stp_portal.views.too_many_requests"
SIGN_IN_RATE = env("SIGN_IN_RATE", default="100/h")
SIGN_UP_RATE = env("SIGN_UP_RATE", default="10/h")
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="5/h")
VERIFY_PAGE_RATE = env("VERIFY_PAGE_RATE", default="60/m")

# --- Request bodies (docs/security.md) ------------------------------------------------------
# Refused with 413 while being read, before anything reaches the disk
# (stp_portal.middleware.RequestBodyLimitMiddleware). A view marked as taking a supporting
# document accepts one document of UPLOAD_MAX_BYTES besides an ordinary form of
# REQUEST_MAX_BYTES; the front proxy (deploy/nginx.conf) sets the same two limits.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=1024 * 1024)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
# Every file a request may carry stays in memory: no upload is ever spooled to a temp file.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + REQUEST_MAX_BYTES
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# --- Audit trail (django-auditlog; audit app) -------------------------------------------------
# Every model's saves and deletes are recorded, so a model added later is covered too; the
# excluded ones are framework bookkeeping, the trail itself, or noise (see docs/security.md).
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions.Session",  # every request of a signed-in user moves its expiry
    "contenttypes.ContentType",
    "auth.Permission",
    "admin.LogEntry",
    "auditlog.LogEntry",
    "audit.SecurityEvent",
    # django-axes' failure counters: sign-in failures are security events already.
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    # knox's primary key is the token's hash: logging it would copy the hash into the trail.
    # Tokens created and revoked are security events (with the token's public id).
    "knox.AuthToken",
    # Billing bookkeeping: a run's chunks and the numbering counters move with every chunk;
    # the run, and each statement it issues, are recorded.
    "subsidies.BillingChunk",
    "subsidies.DocumentCounter",
    # A statement's (a credit note's) lines are written with it and never change; its row
    # records its totals.
    "subsidies.StatementLine",
    "subsidies.CreditNoteLine",
    # What a statement printed of the account (previous balance, where to pay): written with
    # the statement, in the same bulk, and never changed (issue 12 §6).
    "subsidies.StatementSnapshot",
    # Each park's stored figures for today: derived from units and lets, whose changes are
    # recorded, and rewritten for every park each night (parks.services.occupancy_refresh).
    "parks.ParkCounters",
    # The fiscal calendar (written once by a migration) and the returns each company owes
    # (a database view over lease history, whose changes are recorded).
    "returns.Quarter",
    "returns.OwedReturn",
)
# Sign-ins are security events; the last_login stamp would add a change row to each.
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("last_login",)
# Secrets are never copied into the trail: the row says only that one changed.
AUDITLOG_MASK_TRACKING_FIELDS = ("password", "digest", "key", "token_hash", "verification_token")
AUDITLOG_MASK_CALLABLE = "audit.trail.mask_secret"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Response headers (docs/security.md) -----------------------------------------------------
# No inline script or style anywhere: every asset is a local file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Time: periods and dates are Asia/Karachi; timestamps are aware ------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents and statement PDFs. Never served from a public URL: downloads go through
# views that check the user's scope.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default="") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cache and Celery: Redis when REDIS_URL is set, else in-process --------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="stp"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Failed sign-ins are counted where every worker sees them: Redis when there is one, else
# the database (the embedded default has no shared cache).
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)

# An empty CELERY_BROKER_URL (as in a copied .env.example) falls back to REDIS_URL.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or None
# Without a broker the portal runs tasks in-process: the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A queue of its own per deployment (and per test worker that starts a real Celery worker).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Redis redelivers a task not acknowledged within this time (the worker died holding it):
# longer than any task runs, so a slow task is never run twice while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# A worker takes one task at a time ahead: chunks spread over workers instead of queuing
# behind a busy one, and fewer tasks wait unacknowledged in a worker that may die.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Nothing reads task results: progress is in the database (billing runs and chunks).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
# Companies billed per task and transaction: big parks are cut into chunks of this size.
BILLING_CHUNK_SIZE = env.int("BILLING_CHUNK_SIZE", default=200)
# An unfinished billing run without progress for this long (seconds) is sent to the worker
# again (its messages were lost): longer than the visibility timeout, so Redis redelivers first.
BILLING_RUN_STALLED_AFTER = env.int("BILLING_RUN_STALLED_AFTER", default=7200)
CELERY_BEAT_SCHEDULE = {
    # Billing is in arrears (domain.md §6): on the 1st at 02:00 Asia/Karachi, the month just
    # ended.
    "bill-previous-month": {
        "task": "subsidies.tasks.bill_previous_month",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    # Each park's stored occupancy for the new day (parks.models.ParkCounters), just after
    # midnight Asia/Karachi: lets that start or end today change it with no write.
    "refresh-park-occupancy": {
        "task": "parks.tasks.refresh_occupancy",
        "schedule": crontab(minute=1, hour=0),
    },
    # The programme's subsidy liability projected again once a lease, scheme or billing
    # change made the cached one stale, so PSEB's first reader does not wait for it.
    "warm-programme-liability": {
        "task": "reports.tasks.warm_programme_liability",
        "schedule": crontab(minute="*/5"),
    },
    # Progress returns (domain.md §4a): owners are reminded 5 days before the due date and the
    # day after it; each reminder once (returns.reminders). 09:00 Asia/Karachi (CELERY_TIMEZONE).
    "send-return-reminders": {
        "task": "returns.tasks.send_return_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    # A run whose broker messages were lost is planned again (idempotent).
    "resume-stalled-billing-runs": {
        "task": "subsidies.tasks.resume_stalled_billing_runs",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Money ----------------------------------------------------------------------------------------
# The most one other charge may be (PKR), in pages, API and admin alike: far above any month's
# power backup, parking or damages for a whole floor, yet a slip of extra zeros (the probe
# recorded 9,999,999,999.99) is refused instead of billed.
CHARGE_MAX_AMOUNT = Decimal(env("CHARGE_MAX_AMOUNT", default="10000000.00"))

# --- E-mail: console by default ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="STP Portal <no-reply@stp.pseb.org.pk>")
# The portal's public address, for links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["stp_portal.api_requests.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "stp_portal.api_requests.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "stp_portal.api_requests.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "stp_portal.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "stp_portal.api.exception_handler",
    # Sign-up and token requests per client IP: slows password guessing.
    "DEFAULT_THROTTLE_RATES": {"auth": env("API_AUTH_RATE", default="20/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "STP Portal API",
    "DESCRIPTION": "PSEB Software Technology Parks: parks, applications, leases, statements.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # The vocabulary's (value, label) pairs, as the models' fields carry them.
        "UnitKindEnum": "core.vocabulary.UnitKind.choices",
        "CompanyKindEnum": "core.vocabulary.CompanyKind.choices",
        "ApplicationStatusEnum": "core.vocabulary.ApplicationStatus.choices",
        "LineKindEnum": "core.vocabulary.LineKind.choices",
    },
}

# --- Logging: one line per record to stderr ----------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO: keep its warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces its configuration at every start.
        "axes": {"level": "WARNING"},
    },
}
