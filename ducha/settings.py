"""The one settings module. Everything a deployment changes comes from environment variables.

DUCHA_DATA_DIR       where the SQLite file, the generated secret key, collected static files
                     and generated documents live (default ./var)
DUCHA_DATABASE_URL   sqlite:///PATH (default: DATA_DIR/ducha.sqlite3) or postgres://…
DUCHA_SECRET_KEY     generated into DATA_DIR/secret_key on first run when absent
DUCHA_DEBUG          1 to turn on Django's debug pages (default off)
DUCHA_ALLOWED_HOSTS  comma-separated host names (default 127.0.0.1,localhost)

Readings of the seed that are settings, not constants (SEED-MAP "reading" column):
DUCHA_ONE_DEPARTMENT_DAYS       S1.13 limit of a request one department handles, in working days (default 3)
DUCHA_SEVERAL_DEPARTMENTS_DAYS  S1.13 "one week" for several departments, in working days (default 5)
DUCHA_REPORT_WINDOW_DAYS        S1.2 monthly report window: first N working days of next month (default 5)
DUCHA_PROPOSAL_LIMIT_MONTHS     handling limit of NPC suggestions / CPPCC proposals (default 3)
DUCHA_REWORK_WORKDAYS           working days to put right a matter returned for rework (default 10)
DUCHA_WARN_WORKDAYS             yellow light this many working days before the deadline (default 3)
DUCHA_DUE_SOON_WORKDAYS         "due soon" on the dashboards (default 5)
DUCHA_CO_UNIT_SLOW_WORKDAYS     S1.4 a co-unit without progress this long is slow (default 10)
DUCHA_CO_UNIT_OVERDUE_WORKDAYS  S1.4 a co-unit part this many working days past its due date is overdue (default 1)
DUCHA_LETTER_CITY_PREFIX        first character of reminder-letter numbers, e.g. 宛 (default 宛)
DUCHA_LETTER_REPLY_WORKDAYS     working days a letter gives its recipient to reply (default 5)
DUCHA_REQUEST_STALL_WORKDAYS    S1.5 a request past its S1.13 limit this long has stalled (default 1)
DUCHA_LETTER_VICE_MAYOR         S1.4/S1.5 the 主管副市长 a letter is reported to: the one in charge of the
                                addressee unit (addressee, default), of the sender (sender), or both (both)
DUCHA_BULLETIN_LAGGARDS         how many units a bulletin names (default 5)
DUCHA_PROVISIONAL_YEARS         years after the current one that the 2024 holiday rules cover while the
                                State Council notice is missing (暂定, default 5; 0: none, such dates stay pending)
Settings of the security baseline and of background work are documented where they are read,
at the end of this module and in docs/SECURITY.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ducha.dburl import parse_database_url


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 0 or 1, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DUCHA_DATA_DIR") or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    from_env = os.environ.get("DUCHA_SECRET_KEY")
    if from_env:
        return from_env
    # Generated once per installation and kept beside the data, never in the repository.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DUCHA_DEBUG", False)
ALLOWED_HOSTS = _env_list("DUCHA_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "ducha.org",
    "ducha.workcal",
    "ducha.documents",
    "ducha.matters",
    "ducha.letters",
    "ducha.ledger",
    "ducha.reminders",
    "ducha.reports",
    "ducha.web",
    "ducha.security",
    "ducha.audit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "ducha.web.staticfiles.DuchaStaticFilesConfig",
    "django_htmx",
    "bootstrap",
    # Listed so that /api/docs renders its own template with Swagger UI from our static files;
    # without it django-ninja falls back to a page that loads Swagger UI from a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First: a forwarded scheme or address counts only from DUCHA_TRUSTED_PROXY (docs/SECURITY.md).
    "ducha.audit.context.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ducha.audit.context.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ducha.web.middleware.LanguageMiddleware",
    # Answers under /api/ in JSON with a message, whatever made them (404, 405, 413, 500).
    "ducha.api.middleware.ApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ducha.security.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

DUCHA_ONE_DEPARTMENT_DAYS = _env_int("DUCHA_ONE_DEPARTMENT_DAYS", 3)
DUCHA_SEVERAL_DEPARTMENTS_DAYS = int(os.environ.get("DUCHA_SEVERAL_DEPARTMENTS_DAYS", "5"))
DUCHA_REPORT_WINDOW_DAYS = int(os.environ.get("DUCHA_REPORT_WINDOW_DAYS", "5"))
DUCHA_PROPOSAL_LIMIT_MONTHS = int(os.environ.get("DUCHA_PROPOSAL_LIMIT_MONTHS", "3"))
DUCHA_REWORK_WORKDAYS = int(os.environ.get("DUCHA_REWORK_WORKDAYS", "10"))
DUCHA_WARN_WORKDAYS = int(os.environ.get("DUCHA_WARN_WORKDAYS", "3"))
DUCHA_DUE_SOON_WORKDAYS = int(os.environ.get("DUCHA_DUE_SOON_WORKDAYS", "5"))
DUCHA_CO_UNIT_SLOW_WORKDAYS = int(os.environ.get("DUCHA_CO_UNIT_SLOW_WORKDAYS", "10"))
DUCHA_CO_UNIT_OVERDUE_WORKDAYS = _env_int("DUCHA_CO_UNIT_OVERDUE_WORKDAYS", 1)
if DUCHA_ONE_DEPARTMENT_DAYS < 1 or DUCHA_CO_UNIT_OVERDUE_WORKDAYS < 1:
    raise ValueError("DUCHA_ONE_DEPARTMENT_DAYS and DUCHA_CO_UNIT_OVERDUE_WORKDAYS must be at least 1")
DUCHA_LETTER_CITY_PREFIX = os.environ.get("DUCHA_LETTER_CITY_PREFIX", "宛")
DUCHA_LETTER_REPLY_WORKDAYS = int(os.environ.get("DUCHA_LETTER_REPLY_WORKDAYS", "5"))
DUCHA_REQUEST_STALL_WORKDAYS = int(os.environ.get("DUCHA_REQUEST_STALL_WORKDAYS", "1"))
DUCHA_LETTER_VICE_MAYOR = os.environ.get("DUCHA_LETTER_VICE_MAYOR", "") or "addressee"
if DUCHA_LETTER_VICE_MAYOR not in ("addressee", "sender", "both"):
    raise ValueError(f"DUCHA_LETTER_VICE_MAYOR must be addressee, sender or both, not {DUCHA_LETTER_VICE_MAYOR!r}")
DUCHA_BULLETIN_LAGGARDS = int(os.environ.get("DUCHA_BULLETIN_LAGGARDS", "5"))
DUCHA_PROVISIONAL_YEARS = int(os.environ.get("DUCHA_PROVISIONAL_YEARS", "5"))

ROOT_URLCONF = "ducha.urls"
WSGI_APPLICATION = "ducha.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ducha.web.context_processors.shell",
                "ducha.reminders.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DUCHA_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ducha.sqlite3'}",
        base_dir=Path.cwd(),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Bootstrap names the error style "danger".
MESSAGE_TAGS = {40: "danger"}
# Source maps are for developers' tools; compressing them only slows every setup down.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz",
                                       "br", "swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v",
                                       "mov", "mp4", "mpeg", "mpg", "webm", "wmv", "map"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The CSRF token lives as long as the browser session, like the login itself: a cookie dated by
# the server's clock would otherwise expire early or late in a browser whose clock differs.
CSRF_COOKIE_AGE = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DUCHA_LOG_LEVEL", "WARNING")},
}

# --- Background work ---
# Reminders and escalation (ducha.reminders) run as a loop: inside `ducha serve` / `ducha demo`
# for the embedded deployment, or as any number of `ducha worker` processes against one
# PostgreSQL. One-off jobs (rescheduling every matter after a calendar import, …) go through
# the Django Tasks API: the database backend by default, so nothing else has to run; a
# multi-machine deployment sets DUCHA_TASKS_BACKEND=rq and DUCHA_REDIS_URL and runs
# `ducha rqworker default` beside the workers.
#   DUCHA_WORKER_INTERVAL  seconds between passes of the reminder loop (default 60)
#   DUCHA_SCAN_CONNECTIONS database connections a busy reminder pass uses on PostgreSQL (default 2)
#   DUCHA_SITE_URL         the platform's address, for links in e-mail and robot messages
#   DUCHA_EMAIL_HOST …     SMTP relay (DUCHA_EMAIL_PORT, _USER, _PASSWORD, _TLS); console when unset
#   DUCHA_SMS_GATEWAY      dotted path of the SMS gateway (default: a file gateway, DATA_DIR/sms.log)
#   DUCHA_OUTBOX_MAX_ATTEMPTS, DUCHA_OUTBOX_BACKOFF_SECONDS  tries before a dead letter (10), first delay (240)
#   DUCHA_DELIVERY_PASS_SECONDS, DUCHA_DELIVERY_PASS_MESSAGES  bounds of one delivery pass (10 s, 5000
#                          messages; 0: none): a large outbox is sent over several passes, each after a scan
#   DUCHA_SCAN_RETRY_SECONDS, DUCHA_SCAN_RETRY_CAP_SECONDS  a matter the scan cannot check is looked at
#                          again after 300 s, doubled with each failure in a row, at most 86400 s
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "django_rq"]
DUCHA_REDIS_URL = os.environ.get("DUCHA_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": DUCHA_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
_tasks_default = os.environ.get("DUCHA_TASKS_BACKEND", "database")
if _tasks_default not in _TASK_BACKENDS:
    raise ValueError(f"DUCHA_TASKS_BACKEND must be 'database' or 'rq', not {_tasks_default!r}")
TASKS = {"default": _TASK_BACKENDS[_tasks_default], **_TASK_BACKENDS}
DUCHA_WORKER_INTERVAL = float(os.environ.get("DUCHA_WORKER_INTERVAL", "60"))
DUCHA_SCAN_CONNECTIONS = int(os.environ.get("DUCHA_SCAN_CONNECTIONS", "2"))
DUCHA_SITE_URL = os.environ.get("DUCHA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DUCHA_SMS_GATEWAY = os.environ.get("DUCHA_SMS_GATEWAY", "ducha.reminders.channels.sms.FileGateway")
DUCHA_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("DUCHA_OUTBOX_MAX_ATTEMPTS", "10"))
DUCHA_OUTBOX_BACKOFF_SECONDS = float(os.environ.get("DUCHA_OUTBOX_BACKOFF_SECONDS", "240"))
DUCHA_DELIVERY_PASS_SECONDS = _env_int("DUCHA_DELIVERY_PASS_SECONDS", 10)
DUCHA_DELIVERY_PASS_MESSAGES = _env_int("DUCHA_DELIVERY_PASS_MESSAGES", 5000)
if DUCHA_DELIVERY_PASS_SECONDS < 0 or DUCHA_DELIVERY_PASS_MESSAGES < 0:
    raise ValueError("DUCHA_DELIVERY_PASS_SECONDS and DUCHA_DELIVERY_PASS_MESSAGES must be 0 (no bound) or more")
DUCHA_SCAN_RETRY_SECONDS = _env_int("DUCHA_SCAN_RETRY_SECONDS", 300)
DUCHA_SCAN_RETRY_CAP_SECONDS = _env_int("DUCHA_SCAN_RETRY_CAP_SECONDS", 86400)
if not 1 <= DUCHA_SCAN_RETRY_SECONDS <= DUCHA_SCAN_RETRY_CAP_SECONDS:
    raise ValueError("DUCHA_SCAN_RETRY_SECONDS must be at least 1 and at most DUCHA_SCAN_RETRY_CAP_SECONDS")
if os.environ.get("DUCHA_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["DUCHA_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DUCHA_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("DUCHA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DUCHA_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("DUCHA_EMAIL_TLS", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DUCHA_EMAIL_FROM", "ducha@localhost")

# --- Security baseline (等保2.0 三级) ---
# docs/SECURITY.md maps each line to the requirement it meets. Variables:
#   DUCHA_SECURITY_PROFILE      dengbao3 (default: 8+ chars, 3 of 4 classes, history 5, 90-day expiry)
#                               or asvs (12+ chars, no composition rule, no forced rotation)
#   DUCHA_PASSWORD_MIN_LENGTH, DUCHA_PASSWORD_HISTORY, DUCHA_PASSWORD_MAX_AGE_DAYS   profile overrides
#   DUCHA_LOCKOUT_ATTEMPTS (5), DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS (5), DUCHA_LOCKOUT_MINUTES (30)
#   DUCHA_SESSION_IDLE_MINUTES (30), DUCHA_SESSION_ABSOLUTE_HOURS (12), DUCHA_MFA_FOR_EVERYONE (0)
#     (defaults: the security administrator's policy page overrides these at run time)
#   DUCHA_HTTPS                 1 when served over TLS: SSL redirect, HSTS 1 year, Secure __Host- cookies
#   DUCHA_TRUSTED_PROXY         comma-separated addresses/networks of TLS-terminating proxies: their
#                               X-Forwarded-For and X-Forwarded-Proto are believed
#   DUCHA_DATA_KEY              hex key for SM4/HMAC-SM3 (TOTP secrets, audit head MAC, backup manifest);
#                               generated into DATA_DIR/data_key when absent — back it up separately
#   DUCHA_AUDIT_RETENTION_DAYS  audit rows younger than this are never pruned (default 365, minimum 184)
#   DUCHA_SECRET_KEY_FALLBACKS  comma-separated previous secret keys during a key rotation
from ducha.security import profiles as _profiles  # noqa: E402  (plain data, no Django import)


def _data_key() -> str:
    from_env = os.environ.get("DUCHA_DATA_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "data_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return key_file.read_text().strip()


DUCHA_SECURITY_PROFILE = os.environ.get("DUCHA_SECURITY_PROFILE", "dengbao3")
_profile = _profiles.get(DUCHA_SECURITY_PROFILE)
DUCHA_PASSWORD_MIN_LENGTH = _env_int("DUCHA_PASSWORD_MIN_LENGTH", _profile.min_length)
DUCHA_PASSWORD_HISTORY = _env_int("DUCHA_PASSWORD_HISTORY", _profile.history)
DUCHA_PASSWORD_MAX_AGE_DAYS = _env_int("DUCHA_PASSWORD_MAX_AGE_DAYS", _profile.max_age_days)
AUTH_PASSWORD_VALIDATORS = _profiles.password_validators(
    _profile, min_length=DUCHA_PASSWORD_MIN_LENGTH, history=DUCHA_PASSWORD_HISTORY
)
DUCHA_LOCKOUT_ATTEMPTS = _env_int("DUCHA_LOCKOUT_ATTEMPTS", 5)
DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS = _env_int("DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS", 5)
DUCHA_LOCKOUT_MINUTES = _env_int("DUCHA_LOCKOUT_MINUTES", 30)
DUCHA_LOGIN_RATE = (_env_int("DUCHA_LOGIN_RATE_PER_MINUTE", 60), 60)  # log-in POSTs per address per minute
DUCHA_OTP_RATE = (5, 300)  # second-factor tries per account per 5 minutes
DUCHA_MFA_FOR_EVERYONE = _env_bool("DUCHA_MFA_FOR_EVERYONE", False)
DUCHA_TOTP_ISSUER = os.environ.get("DUCHA_TOTP_ISSUER", "ducha")
DUCHA_DATA_KEY = _data_key()
# Each administrator's pages answer 403 to every other role (三权分立).
DUCHA_DUTY_AREAS = [("/admin/", "system_admin"), ("/security/", "security_admin"), ("/audit/", "auditor")]

# Sessions live in the database; the cookie dies with the browser and the server ends a
# session after DUCHA_SESSION_IDLE_MINUTES idle or DUCHA_SESSION_ABSOLUTE_HOURS in all.
DUCHA_SESSION_IDLE_MINUTES = _env_int("DUCHA_SESSION_IDLE_MINUTES", 30)
DUCHA_SESSION_ABSOLUTE_HOURS = _env_int("DUCHA_SESSION_ABSOLUTE_HOURS", 12)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = DUCHA_SESSION_ABSOLUTE_HOURS * 3600

DUCHA_AUDIT_RETENTION_DAYS = _env_int("DUCHA_AUDIT_RETENTION_DAYS", 365)
DUCHA_UPLOAD_MAX_BYTES = _env_int("DUCHA_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DUCHA_UPLOAD_MAX_UNPACKED_BYTES = _env_int("DUCHA_UPLOAD_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
DUCHA_UPLOAD_MAX_ENTRIES = _env_int("DUCHA_UPLOAD_MAX_ENTRIES", 10_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
SECRET_KEY_FALLBACKS = _env_list("DUCHA_SECRET_KEY_FALLBACKS", "")

DUCHA_TRUSTED_PROXIES = _env_list("DUCHA_TRUSTED_PROXY", "")
if DUCHA_TRUSTED_PROXIES:
    # Only safe because the proxy overwrites the header and the app is reachable only through it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DUCHA_HTTPS = _env_bool("DUCHA_HTTPS", False)
if DUCHA_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DUCHA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("DUCHA_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-ducha_session"
    CSRF_COOKIE_NAME = "__Host-ducha_csrf"
else:
    # Plain HTTP (a loopback demo, or TLS not yet set up): these four cannot hold, so they are
    # replaced by one informational check (ducha_security.I001) that says what to set.
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []),
                              "security.W004", "security.W008", "security.W012", "security.W016"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from another origin.
# data: images only for Bootstrap's built-in SVG icons.
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

# The ledger year (S2.4). The cut-offs are the days the June check and the September
# reconciliation judge "as of" (MM-DD, never after the phase's month); the close opens on the
# first of the year's last N working days; who runs which phase follows the seed (the general
# office organises the June check and the September reconciliation; the seed names nobody
# for the build and the close, which stay with the supervision office that holds the
# matters). DUCHA_LEDGER_PHASE_RUNNERS overrides phases: "june_check=general_office,
# supervision_office;year_end_close=general_office". The role names are checked at start-up
# (ducha.ledger.apps).
from ducha.rules.ledger import parse_phase_runners as _parse_phase_runners  # noqa: E402  (plain Python)
from ducha.rules.ledger_check import parse_month_day as _parse_month_day  # noqa: E402


def _env_month_day(name: str, default: str, latest_month: int) -> tuple[int, int]:
    raw = os.environ.get(name, "") or default
    try:
        day = _parse_month_day(raw)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    if day.month > latest_month:
        raise ValueError(f"{name}: {raw!r} falls after the phase's month ({latest_month})")
    return (day.month, day.day)


DUCHA_LEDGER_JUNE_CUTOFF = _env_month_day("DUCHA_LEDGER_JUNE_CUTOFF", "06-30", 6)
DUCHA_LEDGER_SEPTEMBER_CUTOFF = _env_month_day("DUCHA_LEDGER_SEPTEMBER_CUTOFF", "09-30", 9)
DUCHA_LEDGER_CLOSE_LAST_WORKDAYS = _env_int("DUCHA_LEDGER_CLOSE_LAST_WORKDAYS", 5)
if not 1 <= DUCHA_LEDGER_CLOSE_LAST_WORKDAYS <= 20:
    raise ValueError("DUCHA_LEDGER_CLOSE_LAST_WORKDAYS must be between 1 and 20 (working days of December)")
try:
    DUCHA_LEDGER_PHASE_RUNNERS: dict[str, tuple[str, ...]] = _parse_phase_runners(
        os.environ.get("DUCHA_LEDGER_PHASE_RUNNERS", ""),
        {"build": ("supervision_office",), "june_check": ("general_office",),
         "september_reconciliation": ("general_office",), "year_end_close": ("supervision_office",)},
    )
except ValueError as _e:
    raise ValueError(f"DUCHA_LEDGER_PHASE_RUNNERS: {_e}") from None
DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS = _env_int("DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS", 20)
DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS = _env_int("DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS", 20)
# The Excel ledger import (S2.4) runs as a job of the worker: the file is checked, the office
# confirms, then it is written. Limits on the uploaded file, checked before it is parsed: its
# size, the entries and inflated size of its zip (zip bombs), and the rows of its worksheet
# (headers included), counted without loading the sheet: 1,000,000 rows would take the worker
# minutes and over a gigabyte, so such a file is refused, naming the limit and its row count.
DUCHA_LEDGER_IMPORT_MAX_BYTES = _env_int("DUCHA_LEDGER_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
DUCHA_LEDGER_IMPORT_MAX_ENTRIES = _env_int("DUCHA_LEDGER_IMPORT_MAX_ENTRIES", 1000)
DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED = _env_int("DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED", 600 * 1024 * 1024)
DUCHA_LEDGER_IMPORT_MAX_ROWS = _env_int("DUCHA_LEDGER_IMPORT_MAX_ROWS", 200_000)
if min(DUCHA_LEDGER_IMPORT_MAX_BYTES, DUCHA_LEDGER_IMPORT_MAX_ENTRIES, DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED,
       DUCHA_LEDGER_IMPORT_MAX_ROWS) < 1:
    raise ValueError("the DUCHA_LEDGER_IMPORT_MAX_* limits must be at least 1")
DUCHA_NOTICE_DOC_PREFIX = os.environ.get("DUCHA_NOTICE_DOC_PREFIX", "宛督")
DUCHA_NOTICE_ISSUER = os.environ.get("DUCHA_NOTICE_ISSUER", "南阳市人民政府督查室")
