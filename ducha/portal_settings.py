"""Settings of the public site (`ducha portal`): ducha.settings, narrowed to what it needs.

The portal faces the internet, so this process loads only the apps it serves (the portal and
the publication tables), answers only the portal's URLs (no admin, no intranet login or page),
keeps its session in a signed cookie (it writes no session row), and on PostgreSQL connects
as its own role (DUCHA_PORTAL_DATABASE_URL; `ducha portal grant` creates it) that may read
only published tables and insert only submissions. Every variable is declared in
ducha.settings and listed in docs/CONFIGURATION.md; this module only chooses among them.
"""

from __future__ import annotations

from pathlib import Path

from ducha.dburl import parse_database_url
from ducha.settings import *  # noqa: F403
from ducha.settings import (
    DATA_DIR,
    DATABASES,
    DUCHA_HTTPS,
    DUCHA_PORTAL_ALLOWED_HOSTS,
    DUCHA_PORTAL_CACHE_URL,
    DUCHA_PORTAL_DATABASE_URL,
    DUCHA_SUBMISSION_PUBLIC_KEY,
)

ROOT_URLCONF = "ducha.portal.urls"
WSGI_APPLICATION = "ducha.portal.wsgi.application"
ALLOWED_HOSTS = DUCHA_PORTAL_ALLOWED_HOSTS

INSTALLED_APPS = [
    "ducha.publication",
    "ducha.portal",
    "whitenoise.runserver_nostatic",
    "ducha.portal.staticfiles.PortalStaticFilesConfig",
    "bootstrap",
]

MIDDLEWARE = [
    "ducha.audit.context.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ducha.portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csrf",
            ],
        },
    },
]

if DUCHA_PORTAL_DATABASE_URL:
    DATABASES = {"default": parse_database_url(DUCHA_PORTAL_DATABASE_URL, base_dir=Path.cwd())}
else:
    DATABASES = {"default": DATABASES["default"]}

if DUCHA_PORTAL_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DUCHA_PORTAL_CACHE_URL,
                          "KEY_PREFIX": "ducha-portal"}}
elif DUCHA_PORTAL_CACHE_URL:
    raise ValueError(f"DUCHA_PORTAL_CACHE_URL: only redis://, rediss:// or unix:// URLs, not {DUCHA_PORTAL_CACHE_URL!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ducha-portal"}}

# Signed cookies: the session (the captcha's challenge) lives in the browser and the portal's
# role needs no table for it. Cookie names of their own, as a browser sends cookies to every
# port of a host, the intranet's included.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 3600
_PREFIX = "__Host-" if DUCHA_HTTPS else ""
SESSION_COOKIE_NAME = f"{_PREFIX}ducha_portal_session"
CSRF_COOKIE_NAME = f"{_PREFIX}ducha_portal_csrf"
LANGUAGE_COOKIE_NAME = "ducha_portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_ROOT = DATA_DIR / "portal-static"

# The portal holds no key to intranet secrets: not the data key (second-factor secrets, the
# audit chain), and, once it is given the public submission key, not the private one either.
DUCHA_DATA_KEY = ""
if DUCHA_SUBMISSION_PUBLIC_KEY:
    DUCHA_SUBMISSION_KEY = ""
