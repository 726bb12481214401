"""The one settings module. Everything a deployment changes comes from environment variables.

docs/CONFIGURATION.md lists every variable with its meaning and default (a test keeps the two
in step). Each is read once, here, through the typed readers of ducha.environment, which stop
the start with the variable's name when a value cannot be read; code reads ``settings.X``.
Importing this module writes nothing: the data folder and its keys are created by the `ducha`
command (ducha.environment.ensure_data_dir).
"""

from __future__ import annotations

from pathlib import Path

from ducha.dburl import parse_database_url
from ducha.environment import (
    data_dir,
    env_bool,
    env_choice,
    env_float,
    env_fractions,
    env_hours,
    env_int,
    env_list,
    env_parsed,
    env_secret,
    env_str,
    env_time,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
# Kept in the data folder, never in the repository; created there on first run by the `ducha`
# command (ducha.environment.ensure_data_dir), or given as DUCHA_SECRET_KEY or DUCHA_SECRET_KEY_FILE.
SECRET_KEY = env_secret("DUCHA_SECRET_KEY", DATA_DIR / "secret_key")
DEBUG = env_bool("DUCHA_DEBUG", False)
ALLOWED_HOSTS = env_list("DUCHA_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "ducha.org",
    "ducha.workcal",
    "ducha.inbox",
    "ducha.documents",
    "ducha.matters",
    "ducha.letters",
    "ducha.ledger",
    "ducha.accountability",
    "ducha.lawful",
    "ducha.burden",
    "ducha.approvals",
    "ducha.awards",
    "ducha.evaluation",
    "ducha.staffeval",
    "ducha.reminders",
    "ducha.reports",
    "ducha.publication",
    # Here for its `ducha portal grant` and `public-key` commands; its pages are served only by
    # `ducha portal`, under ducha.portal_settings.
    "ducha.portal",
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
    "ducha.security.denied.DeniedAccessAuditMiddleware",
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

DUCHA_ONE_DEPARTMENT_DAYS = env_int("DUCHA_ONE_DEPARTMENT_DAYS", 3, minimum=1)
DUCHA_SEVERAL_DEPARTMENTS_DAYS = env_int("DUCHA_SEVERAL_DEPARTMENTS_DAYS", 5, minimum=1)
DUCHA_REPORT_WINDOW_DAYS = env_int("DUCHA_REPORT_WINDOW_DAYS", 5, minimum=1, maximum=15)
DUCHA_PROPOSAL_LIMIT_MONTHS = env_int("DUCHA_PROPOSAL_LIMIT_MONTHS", 3, minimum=1, maximum=12)
DUCHA_REWORK_WORKDAYS = env_int("DUCHA_REWORK_WORKDAYS", 10, minimum=1)
DUCHA_WARN_WORKDAYS = env_int("DUCHA_WARN_WORKDAYS", 3, minimum=0)
DUCHA_DUE_SOON_WORKDAYS = env_int("DUCHA_DUE_SOON_WORKDAYS", 5, minimum=0)
DUCHA_CO_UNIT_SLOW_WORKDAYS = env_int("DUCHA_CO_UNIT_SLOW_WORKDAYS", 10, minimum=1)
DUCHA_CO_UNIT_OVERDUE_WORKDAYS = env_int("DUCHA_CO_UNIT_OVERDUE_WORKDAYS", 1, minimum=1)
DUCHA_INACTION_WORKDAYS = env_int("DUCHA_INACTION_WORKDAYS", 10, minimum=1)
DUCHA_BEHIND_CHECKPOINTS = env_fractions("DUCHA_BEHIND_CHECKPOINTS", "0.25,0.5,0.75")
DUCHA_REMINDER_TIME = env_time("DUCHA_REMINDER_TIME", "08:30")
DUCHA_LETTER_CITY_PREFIX = env_str("DUCHA_LETTER_CITY_PREFIX", "宛")
DUCHA_LETTER_REPLY_WORKDAYS = env_int("DUCHA_LETTER_REPLY_WORKDAYS", 5, minimum=1)
DUCHA_REQUEST_STALL_WORKDAYS = env_int("DUCHA_REQUEST_STALL_WORKDAYS", 1, minimum=1)
DUCHA_LETTER_VICE_MAYOR = env_choice("DUCHA_LETTER_VICE_MAYOR", "addressee", ("addressee", "sender", "both"))
DUCHA_BULLETIN_LAGGARDS = env_int("DUCHA_BULLETIN_LAGGARDS", 5, minimum=1)
# 减负 (S2.8): a unit asked more than this many items in a month is flagged on the burden meter.
DUCHA_BURDEN_MONTHLY_CAP = env_int("DUCHA_BURDEN_MONTHLY_CAP", 40, minimum=1, maximum=100_000)
DUCHA_PROVISIONAL_YEARS = env_int("DUCHA_PROVISIONAL_YEARS", 5, minimum=0, maximum=20)

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
                "ducha.inbox.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DUCHA_DATABASE_URL", f"sqlite:///{DATA_DIR / 'ducha.sqlite3'}"),
        base_dir=Path.cwd(),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
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
    "root": {"handlers": ["console"], "level": env_choice("DUCHA_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))},
}

# --- Background work ---
# Reminders and escalation (ducha.reminders) run as a loop: inside `ducha serve` / `ducha demo`
# for the embedded deployment, or as any number of `ducha worker` processes against one
# PostgreSQL. One-off jobs (rescheduling every matter after a calendar import, …) go through
# the Django Tasks API: the database backend by default, so nothing else has to run; a
# multi-machine deployment sets DUCHA_TASKS_BACKEND=rq and DUCHA_REDIS_URL and runs
# `ducha rqworker default` beside the workers.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "django_rq"]
DUCHA_REDIS_URL = env_str("DUCHA_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": DUCHA_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
DUCHA_TASKS_BACKEND = env_choice("DUCHA_TASKS_BACKEND", "database", ("database", "rq"))
TASKS = {"default": _TASK_BACKENDS[DUCHA_TASKS_BACKEND], **_TASK_BACKENDS}
DUCHA_WORKER_INTERVAL = env_float("DUCHA_WORKER_INTERVAL", 60, minimum=0.1)
DUCHA_SCAN_CONNECTIONS = env_int("DUCHA_SCAN_CONNECTIONS", 2, minimum=1, maximum=16)
DUCHA_SITE_URL = env_str("DUCHA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DUCHA_SMS_GATEWAY = env_str("DUCHA_SMS_GATEWAY", "ducha.reminders.channels.sms.FileGateway")
DUCHA_SMS_DEFAULT = env_bool("DUCHA_SMS_DEFAULT", True)
DUCHA_SMS_QUIET_HOURS = env_hours("DUCHA_SMS_QUIET_HOURS", "22-8")
DUCHA_SMS_PER_NUMBER_PER_DAY = env_int("DUCHA_SMS_PER_NUMBER_PER_DAY", 20, minimum=1)
DUCHA_ROBOT_DIGEST_MAX = env_int("DUCHA_ROBOT_DIGEST_MAX", 10, minimum=1)
DUCHA_ROBOT_PER_MINUTE = env_int("DUCHA_ROBOT_PER_MINUTE", 20, minimum=1)
DUCHA_WEBHOOK_TIMEOUT = env_float("DUCHA_WEBHOOK_TIMEOUT", 10, minimum=0.5)
# Robots' webhooks go out directly unless a proxy is named: the variables http_proxy and
# https_proxy of the process are not followed (an intranet proxy is a deliberate choice).
_webhook_proxy = env_str("DUCHA_WEBHOOK_PROXY", "")
DUCHA_HTTP_PROXIES = {"http": _webhook_proxy, "https": _webhook_proxy} if _webhook_proxy else {}
DUCHA_OUTBOX_MAX_ATTEMPTS = env_int("DUCHA_OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
DUCHA_OUTBOX_BACKOFF_SECONDS = env_float("DUCHA_OUTBOX_BACKOFF_SECONDS", 240, minimum=0)
DUCHA_OUTBOX_BACKOFF_CAP_SECONDS = env_float("DUCHA_OUTBOX_BACKOFF_CAP_SECONDS", 21600, minimum=1)
DUCHA_DELIVERY_PASS_SECONDS = env_int("DUCHA_DELIVERY_PASS_SECONDS", 10, minimum=0)
DUCHA_DELIVERY_PASS_MESSAGES = env_int("DUCHA_DELIVERY_PASS_MESSAGES", 5000, minimum=0)
DUCHA_SCAN_RETRY_CAP_SECONDS = env_int("DUCHA_SCAN_RETRY_CAP_SECONDS", 86400, minimum=1)
DUCHA_SCAN_RETRY_SECONDS = env_int("DUCHA_SCAN_RETRY_SECONDS", 300, minimum=1, maximum=DUCHA_SCAN_RETRY_CAP_SECONDS)
if env_str("DUCHA_EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("DUCHA_EMAIL_HOST", "")
    EMAIL_PORT = env_int("DUCHA_EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("DUCHA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("DUCHA_EMAIL_PASSWORD", DATA_DIR / "email_password")
    EMAIL_USE_TLS = env_bool("DUCHA_EMAIL_TLS", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DUCHA_EMAIL_FROM", "ducha@localhost")

# --- Security baseline (等保2.0 三级) ---
# docs/SECURITY.md maps each line to the requirement it meets.
from ducha.security import profiles as _profiles  # noqa: E402  (plain data, no Django import)

DUCHA_SECURITY_PROFILE = env_str("DUCHA_SECURITY_PROFILE", "dengbao3")
_profile = _profiles.get(DUCHA_SECURITY_PROFILE)
DUCHA_PASSWORD_MIN_LENGTH = env_int("DUCHA_PASSWORD_MIN_LENGTH", _profile.min_length)
DUCHA_PASSWORD_HISTORY = env_int("DUCHA_PASSWORD_HISTORY", _profile.history)
DUCHA_PASSWORD_MAX_AGE_DAYS = env_int("DUCHA_PASSWORD_MAX_AGE_DAYS", _profile.max_age_days)
AUTH_PASSWORD_VALIDATORS = _profiles.password_validators(
    _profile, min_length=DUCHA_PASSWORD_MIN_LENGTH, history=DUCHA_PASSWORD_HISTORY
)
DUCHA_LOCKOUT_ATTEMPTS = env_int("DUCHA_LOCKOUT_ATTEMPTS", 5)
DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS = env_int("DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS", 5)
DUCHA_LOCKOUT_MINUTES = env_int("DUCHA_LOCKOUT_MINUTES", 30)
DUCHA_LOGIN_RATE = (env_int("DUCHA_LOGIN_RATE_PER_MINUTE", 60), 60)  # log-in POSTs per address per minute
DUCHA_OTP_RATE = (5, 300)  # second-factor tries per account per 5 minutes
DUCHA_MFA_FOR_EVERYONE = env_bool("DUCHA_MFA_FOR_EVERYONE", False)
DUCHA_TOTP_ISSUER = env_str("DUCHA_TOTP_ISSUER", "ducha")
DUCHA_DATA_KEY = env_secret("DUCHA_DATA_KEY", DATA_DIR / "data_key")
# Each administrator's pages answer 403 to every other role (三权分立).
DUCHA_DUTY_AREAS = [("/admin/", "system_admin"), ("/security/", "security_admin"), ("/audit/", "auditor")]

# Sessions live in the database; the cookie dies with the browser and the server ends a
# session after DUCHA_SESSION_IDLE_MINUTES idle or DUCHA_SESSION_ABSOLUTE_HOURS in all.
DUCHA_SESSION_IDLE_MINUTES = env_int("DUCHA_SESSION_IDLE_MINUTES", 30)
DUCHA_SESSION_ABSOLUTE_HOURS = env_int("DUCHA_SESSION_ABSOLUTE_HOURS", 12)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = DUCHA_SESSION_ABSOLUTE_HOURS * 3600

DUCHA_AUDIT_RETENTION_DAYS = env_int("DUCHA_AUDIT_RETENTION_DAYS", 365)
DUCHA_UPLOAD_MAX_BYTES = env_int("DUCHA_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DUCHA_UPLOAD_MAX_UNPACKED_BYTES = env_int("DUCHA_UPLOAD_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
DUCHA_UPLOAD_MAX_ENTRIES = env_int("DUCHA_UPLOAD_MAX_ENTRIES", 10_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
SECRET_KEY_FALLBACKS = env_list("DUCHA_SECRET_KEY_FALLBACKS", "")

DUCHA_TRUSTED_PROXIES = env_list("DUCHA_TRUSTED_PROXY", "")
if DUCHA_TRUSTED_PROXIES:
    # Only safe because the proxy overwrites the header and the app is reachable only through it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DUCHA_HTTPS = env_bool("DUCHA_HTTPS", False)
if DUCHA_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DUCHA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DUCHA_HSTS_PRELOAD", True)
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
    raw = env_str(name, default)
    day = env_parsed(name, default, _parse_month_day)
    if day.month > latest_month:
        raise ValueError(f"{name}: {raw!r} falls after the phase's month ({latest_month})")
    return (day.month, day.day)


DUCHA_LEDGER_JUNE_CUTOFF = _env_month_day("DUCHA_LEDGER_JUNE_CUTOFF", "06-30", 6)
DUCHA_LEDGER_SEPTEMBER_CUTOFF = _env_month_day("DUCHA_LEDGER_SEPTEMBER_CUTOFF", "09-30", 9)
DUCHA_LEDGER_CLOSE_LAST_WORKDAYS = env_int("DUCHA_LEDGER_CLOSE_LAST_WORKDAYS", 5, minimum=1, maximum=20)
_DEFAULT_RUNNERS: dict[str, tuple[str, ...]] = {"build": ("supervision_office",), "june_check": ("general_office",),
                    "september_reconciliation": ("general_office",), "year_end_close": ("supervision_office",)}
DUCHA_LEDGER_PHASE_RUNNERS: dict[str, tuple[str, ...]] = env_parsed(
    "DUCHA_LEDGER_PHASE_RUNNERS", "", lambda raw: _parse_phase_runners(raw, _DEFAULT_RUNNERS))
DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS = env_int("DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS", 20)
DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS = env_int("DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS", 20)
# The accountability register (S1.16): the window records are counted in ("a year": the
# calendar year, or the rolling twelve months the seed map names), the working days a unit
# has to appeal, and the months the organisation department has to act on a consequence
# (问责条例: 组织调整/处理 within one month).
DUCHA_ACCOUNTABILITY_WINDOW = env_choice("DUCHA_ACCOUNTABILITY_WINDOW", "calendar_year",
                                         ("calendar_year", "rolling_12_months"))
DUCHA_ACCOUNTABILITY_APPEAL_WORKDAYS = env_int("DUCHA_ACCOUNTABILITY_APPEAL_WORKDAYS", 22, minimum=1, maximum=120)
DUCHA_ACCOUNTABILITY_ACTION_MONTHS = env_int("DUCHA_ACCOUNTABILITY_ACTION_MONTHS", 1, minimum=1, maximum=12)
# The half-yearly lawful-administration check (S1.6): its checklist, items written
# "code:points:中文名[:English name]" separated by ";" (default: six items adding up to 100).
# Read at start: a code given twice or points that are not a positive whole number stop it.
# Each check freezes the checklist of the day it was opened.
from ducha.rules.lawful import DEFAULT_CHECKLIST as _LAWFUL_CHECKLIST  # noqa: E402  (plain Python)
from ducha.rules.lawful import parse_checklist as _parse_checklist  # noqa: E402

DUCHA_LAWFUL_CHECKLIST = env_parsed("DUCHA_LAWFUL_CHECKLIST", _LAWFUL_CHECKLIST, _parse_checklist)
# Announcements (S1.14 exposure, S1.16 accountability): who approves one before it is issued (a
# username; empty: the mayor's account), and what an item names by default (units yes, people's
# names no); the office may change both per item before approval.
DUCHA_EXPOSURE_APPROVER = env_str("DUCHA_EXPOSURE_APPROVER", "")
DUCHA_EXPOSURE_NAME_UNITS = env_bool("DUCHA_EXPOSURE_NAME_UNITS", True)
DUCHA_EXPOSURE_NAME_PEOPLE = env_bool("DUCHA_EXPOSURE_NAME_PEOPLE", False)
# The performance evaluation (S6.1–S6.3): grade quotas and bands (优秀 ≤ 15 %, 良好 ≤ 20 % as in
# 杭考评办〔2018〕14号; bands 90/80/60 as in 财政部's project evaluation), who approves a period
# (a username; empty: the mayor), the working days a unit has to object once a period is
# published, and the year-end reward and penalty lists (top and bottom N per category).
DUCHA_EVALUATION_EXCELLENT_QUOTA = env_float("DUCHA_EVALUATION_EXCELLENT_QUOTA", 0.15, minimum=0, maximum=1)
DUCHA_EVALUATION_GOOD_QUOTA = env_float("DUCHA_EVALUATION_GOOD_QUOTA", 0.20, minimum=0, maximum=1)
DUCHA_EVALUATION_EXCELLENT_MIN = env_int("DUCHA_EVALUATION_EXCELLENT_MIN", 90, minimum=0, maximum=100)
DUCHA_EVALUATION_GOOD_MIN = env_int("DUCHA_EVALUATION_GOOD_MIN", 80, minimum=0, maximum=100)
DUCHA_EVALUATION_FAIR_MIN = env_int("DUCHA_EVALUATION_FAIR_MIN", 60, minimum=0, maximum=100)
DUCHA_EVALUATION_APPROVER = env_str("DUCHA_EVALUATION_APPROVER", "")
DUCHA_EVALUATION_OBJECTION_WORKDAYS = env_int("DUCHA_EVALUATION_OBJECTION_WORKDAYS", 5, minimum=1, maximum=30)
DUCHA_EVALUATION_REWARD_TOP = env_int("DUCHA_EVALUATION_REWARD_TOP", 3, minimum=0, maximum=50)
DUCHA_EVALUATION_PENALTY_BOTTOM = env_int("DUCHA_EVALUATION_PENALTY_BOTTOM", 3, minimum=0, maximum=50)
# The ranking bulletin is the performance office's document: its 机关代字 and its name.
DUCHA_EVALUATION_DOC_PREFIX = env_str("DUCHA_EVALUATION_DOC_PREFIX", "宛绩")
DUCHA_EVALUATION_ISSUER = env_str("DUCHA_EVALUATION_ISSUER", "南阳市绩效管理办公室")
# 每季度专项督查 (S1.14): the working days a special round opened from a quarter's proposal runs.
DUCHA_SPECIAL_ROUND_WORKDAYS = env_int("DUCHA_SPECIAL_ROUND_WORKDAYS", 10, minimum=1, maximum=60)
# The Excel ledger import (S2.4) runs as a job of the worker: the file is checked, the office
# confirms, then it is written. Limits on the uploaded file, checked before it is parsed: its
# size, the entries and inflated size of its zip (zip bombs), and the rows of its worksheet
# (headers included), counted without loading the sheet: 1,000,000 rows would take the worker
# minutes and over a gigabyte, so such a file is refused, naming the limit and its row count.
DUCHA_LEDGER_IMPORT_MAX_BYTES = env_int("DUCHA_LEDGER_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
DUCHA_LEDGER_IMPORT_MAX_ENTRIES = env_int("DUCHA_LEDGER_IMPORT_MAX_ENTRIES", 1000, minimum=1)
DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED = env_int("DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED", 600 * 1024 * 1024, minimum=1)
DUCHA_LEDGER_IMPORT_MAX_ROWS = env_int("DUCHA_LEDGER_IMPORT_MAX_ROWS", 200_000, minimum=1)
DUCHA_NOTICE_DOC_PREFIX = env_str("DUCHA_NOTICE_DOC_PREFIX", "宛督")
DUCHA_NOTICE_ISSUER = env_str("DUCHA_NOTICE_ISSUER", "南阳市人民政府督查室")
# The government work innovation award (政府工作创新奖, S1.12). The panel is named per year by
# the performance office (ducha.awards), not here: a panel changes from year to year and a
# year keeps the panel that scored it. Here: the scale (the maximum whole score), the fewest
# scores from which the highest and lowest are dropped (0: never), the most winners a year,
# the fewest panel members, and who approves the winners (a username; empty: the mayor).
from ducha.rules.awards import parse_drop_from as _parse_drop_from  # noqa: E402  (plain Python)
from ducha.rules.awards import parse_scale as _parse_scale  # noqa: E402

DUCHA_AWARD_SCALE = env_parsed("DUCHA_AWARD_SCALE", "100", _parse_scale).maximum
DUCHA_AWARD_DROP_EXTREMES_FROM = env_parsed("DUCHA_AWARD_DROP_EXTREMES_FROM", "5", _parse_drop_from)
DUCHA_AWARD_WINNERS = env_int("DUCHA_AWARD_WINNERS", 10, minimum=1, maximum=100)
DUCHA_AWARD_PANEL_MIN = env_int("DUCHA_AWARD_PANEL_MIN", 3, minimum=1, maximum=50)
DUCHA_AWARD_APPROVER = env_str("DUCHA_AWARD_APPROVER", "")
# A unit's year-end evaluation of its own staff (内部考评, S6.2, ducha.staffeval): the share of
# staff who may be graded 优秀, normally, for a unit graded 优秀 (raised) and for one graded 较差
# (lowered); floor(share × staff). 20 % and 25 % after the civil-servant evaluation rules as
# noted in shared/reference/approvals-evaluation-accountability.md §4.2 ([mem]: the exact clause
# is to be checked); 15 % is the platform's own choice.
DUCHA_STAFF_EXCELLENT_SHARE = env_float("DUCHA_STAFF_EXCELLENT_SHARE", 0.20, minimum=0, maximum=1)
DUCHA_STAFF_EXCELLENT_SHARE_RAISED = env_float("DUCHA_STAFF_EXCELLENT_SHARE_RAISED", 0.25, minimum=0, maximum=1)
DUCHA_STAFF_EXCELLENT_SHARE_LOWERED = env_float("DUCHA_STAFF_EXCELLENT_SHARE_LOWERED", 0.15, minimum=0, maximum=1)


# Administrative approval (S3.1–S3.5). The approval service office (行政审批服务局) is a unit: its
# staff run the windows and its board; the code names it.
DUCHA_APPROVAL_SERVICE_UNIT = env_str("DUCHA_APPROVAL_SERVICE_UNIT", "xzspj")
# 电子监察: a yellow card once this share of a limit is used (a red one once it is passed).
DUCHA_APPROVAL_YELLOW_SHARE = env_float("DUCHA_APPROVAL_YELLOW_SHARE", 0.8, minimum=0.1, maximum=1.0)
# Joint approval (S3.4): a project of at least this investment in yuan qualifies.
DUCHA_APPROVAL_JOINT_INVESTMENT = env_int("DUCHA_APPROVAL_JOINT_INVESTMENT", 100_000_000, minimum=0)
# 办件 numbers and the documents' 机关代字.
DUCHA_APPROVAL_RECEIPT_PREFIX = env_str("DUCHA_APPROVAL_RECEIPT_PREFIX", "SP")
DUCHA_APPROVAL_DOC_PREFIX = env_str("DUCHA_APPROVAL_DOC_PREFIX", "宛审批")
# Joint approval's one seal (一章通): the combined decision is issued by the lead department
# ("lead") or by the approval service office ("service").
DUCHA_APPROVAL_JOINT_SEAL = env_choice("DUCHA_APPROVAL_JOINT_SEAL", "lead", ("lead", "service"))
# 外网提交 → 内网办理: the window account online applications are received by (a username);
# empty: the approval service office's first unit administrator.
DUCHA_APPROVAL_ONLINE_OFFICER = env_str("DUCHA_APPROVAL_ONLINE_OFFICER", "")

# 好差评 (S5.3): a node not rated within this many natural days is recorded at the default level
# (广东: 7 days, 3 = 基本满意); a bad rating is rectified within so many working days (德州: 5).
DUCHA_RATING_WINDOW_DAYS = env_int("DUCHA_RATING_WINDOW_DAYS", 7, minimum=1)
DUCHA_RATING_DEFAULT_LEVEL = env_int("DUCHA_RATING_DEFAULT_LEVEL", 3, minimum=1, maximum=5)
DUCHA_RATING_RECTIFY_WORKDAYS = env_int("DUCHA_RATING_RECTIFY_WORKDAYS", 5, minimum=1)

# The public portal (ducha.portal, served by `ducha portal` under ducha.portal_settings) and what
# it reads and writes (ducha.publication). Its database: empty, the main one (the embedded
# default); on PostgreSQL a URL with the role `ducha portal grant` made. Its cache holds the
# rate-limit counters: empty, one process's memory; `redis://…` to share them between processes.
DUCHA_PORTAL_PORT = env_int("DUCHA_PORTAL_PORT", 8001, minimum=1, maximum=65535)
DUCHA_PORTAL_DATABASE_URL = env_str("DUCHA_PORTAL_DATABASE_URL", "")
DUCHA_PORTAL_CACHE_URL = env_str("DUCHA_PORTAL_CACHE_URL", "")
DUCHA_PORTAL_ALLOWED_HOSTS = env_list("DUCHA_PORTAL_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Form posts and status look-ups per address and minute; after this many failed look-ups or
# refused forms in an hour an address must also solve the site's own captcha.
DUCHA_PORTAL_RATE_PER_MINUTE = env_int("DUCHA_PORTAL_RATE_PER_MINUTE", 10, minimum=1, maximum=10_000)
DUCHA_PORTAL_CAPTCHA_AFTER = env_int("DUCHA_PORTAL_CAPTCHA_AFTER", 3, minimum=0, maximum=1000)
# Files published with a publication are copied here; the portal only reads the folder.
DUCHA_PUBLISHED_DIR = Path(env_str("DUCHA_PUBLISHED_DIR", str(DATA_DIR / "published")))
# Real-name fields and uploads of submissions are sealed to a key pair (ducha.publication.sealing):
# the portal needs only the public key; the intranet keeps the private one (created as
# submission_key in the data folder when neither is given).
DUCHA_SUBMISSION_KEY = env_secret("DUCHA_SUBMISSION_KEY", DATA_DIR / "submission_key")
DUCHA_SUBMISSION_PUBLIC_KEY = env_str("DUCHA_SUBMISSION_PUBLIC_KEY", "")
# The key-task list on the public site (亮进度): the fields of each task disclosed, from number,
# title, unit, deadline, progress, light, status, note (the goal); people are never disclosed.
DUCHA_PUBLIC_TASK_FIELDS = env_list("DUCHA_PUBLIC_TASK_FIELDS", "number,title,unit,deadline,progress,light,status")
