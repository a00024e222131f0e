"""Settings for mitwirken, read from the environment (12-factor).

``MITWIRKEN_ENV`` selects the profile: ``production`` (the default, so that a
forgotten variable never weakens a live system), ``development`` (``make run``)
or ``test``.  Everything an operator may change is documented in
docs/operations.md.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MITWIRKEN_VAR_DIR", PROJECT_ROOT / "var"))

ENVIRONMENT = os.environ.get("MITWIRKEN_ENV", "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"MITWIRKEN_ENV must be production, development or test, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    normalised = value.strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"0", "false", "no", "off"}:
        return False
    # A typo must not silently switch a protection off.
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret comes from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
SECRET_KEY = env_secret("SECRET_KEY") or ("" if PRODUCTION else DEVELOPMENT_SECRET_KEY)

if PRODUCTION:
    # Refuse to start rather than run a public portal in an unsafe state.
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (MITWIRKEN_ENV=production).")
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE to a random value of at least 32 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# In development the default follows PORT (`make run PORT=8001` exports it), so links in mails match the server.
SITE_URL = os.environ.get(
    "SITE_URL", "" if PRODUCTION else f"http://127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"
).rstrip("/")
if PRODUCTION and not SITE_URL.startswith(("https://", "http://")):
    # Links in e-mails and letters are built from it; a wrong default would send people nowhere.
    raise ImproperlyConfigured("Set SITE_URL to the portal's public address, e.g. https://beteiligung.example.de.")
SITE_NAME = os.environ.get("SITE_NAME", "mitwirken")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "mitwirken.core",
    "mitwirken.accounts",
    "mitwirken.organisations",
    "mitwirken.projects",
    "mitwirken.api",
    # Comments, ratings, flags, follows and moderation for every module's objects.
    "mitwirken.participation",
    # Local text analysis for staff (mass objections, topics, segments, keywords, answers, moderation hints).
    "mitwirken.analysis",
    # Module apps: each registers its module type with projects in ready().
    "mitwirken.information",
    "mitwirken.formal",
    "mitwirken.reports",
    "mitwirken.surveys",
    "mitwirken.events",
    "mitwirken.volunteering",
    "mitwirken.dialogue",
]

MIDDLEWARE = [
    # First, so that every log line of a request carries its id and the metrics time the whole stack.
    "mitwirken.core.observability.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mitwirken.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mitwirken.core.middleware.BoundedIdsMiddleware",
    "mitwirken.core.middleware.NulInQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff rights need a session confirmed with the second factor; see accounts/second_factor.py.
    "mitwirken.accounts.second_factor.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that it sees an exception first: the object storage down gives a page that says so (503).
    "mitwirken.core.middleware.StorageUnavailableMiddleware",
]

if PRODUCTION:
    # Serves collected, compressed static files; development and tests use the staticfiles finders.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "mitwirken.urls"
WSGI_APPLICATION = "mitwirken.wsgi.application"

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
                "django.template.context_processors.i18n",
                "mitwirken.core.context_processors.portal",
            ],
        },
    },
    {
        # Only the rows of the busiest lists (core/jinja.py says why), from the apps' jinja2/ folders.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "mitwirken.core.jinja.environment"},
    },
]


def database_from_url(url: str, *, pooled: bool = False) -> dict[str, Any]:
    """One database from its URL, with the portal's options for its engine (the primary and the replica).

    ``pooled``: behind PgBouncer in transaction pooling, which lends a server connection for one transaction
    only: no server-side cursors, and no per-connection settings (the pooler refuses them; set random_page_cost
    in the database instead, as devtools/cluster does).
    """
    database: dict[str, Any] = dict(
        dj_database_url.parse(
            url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the task worker and the web server write without "database is locked";
        # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Storage is SSD (or cached): a random page costs about what a sequential one does. With the default of 4
        # the planner preferred reading every row and testing it over a GIN index (a full-text search for a common
        # word took 25 ms instead of 3), as it cannot know that testing a tsvector costs far more than comparing a
        # number.
        if pooled:
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
        else:
            database.setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
    return database


DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mitwirken.sqlite3'}"),
        pooled=env_bool("DATABASE_PGBOUNCER", False),
    )
}
# A PostgreSQL streaming replica (issue 19, core/replica.py): views marked read-only read from it, unless the client
# wrote within the last MITWIRKEN_REPLICA_PIN_SECONDS. Without it there is no second alias, router or middleware.
MITWIRKEN_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "30"))
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "").strip()  # not a setting: it may hold a password
if _replica_url:
    DATABASES["replica"] = database_from_url(_replica_url)
    DATABASE_ROUTERS = ["mitwirken.core.replica.ReplicaRouter"]
    # After a write it sets the cookie that sends the client's next reads to the primary; early in the chain, so
    # it also sees the answers that middleware further in gives (a refused CSRF token).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "mitwirken.core.replica.PinPrimaryMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis may go away (a restart, a failover): the cache then misses instead of failing every request
    # (core/cache.py); short timeouts keep a hanging Redis from holding the pages up.
    CACHES = {
        "default": {
            "BACKEND": "mitwirken.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "mitwirken.accounts.backends.SecondFactorModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: e-mail is the login, verified before first use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "mitwirken.accounts.adapter.AccountAdapter"
# The same answer whether an account exists or not (sign-up, login, password reset, e-mail change).
ACCOUNT_PREVENT_ENUMERATION = True
# Brute-force protection: failed logins are limited per account *and* address together (the adapter's key),
# so a stranger cannot lock out the owner; and per address over all accounts.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,30/5m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Staff rights (memberships, superuser) exist only in a session confirmed with TOTP, and only for
# STAFF_SESSION_HOURS after that confirmation (see accounts/second_factor.py and docs/security.md).
MITWIRKEN_STAFF_MFA_REQUIRED = env_bool("STAFF_MFA_REQUIRED", True)
MITWIRKEN_STAFF_SESSION_MAX_AGE = int(float(os.environ.get("STAFF_SESSION_HOURS", "10")) * 3600)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale_overrides", BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
FORMAT_MODULE_PATH = ["mitwirken.formats"]  # "1 January 2027" in English, see formats/en
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_ROOT / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Media is never served directly: every file goes through a view that checks permissions.
MEDIA_URL = "/_media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage. Credentials may also come from the standard AWS_* environment/IAM chain.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = env_secret("AWS_ACCESS_KEY_ID")
    AWS_SECRET_ACCESS_KEY = env_secret("AWS_SECRET_ACCESS_KEY")
    AWS_DEFAULT_ACL = None  # objects stay private; every file is served through a permission-checking view
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    # "path" for servers on an address or a host name without bucket subdomains (SeaweedFS, MinIO on premises).
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE", "path" if AWS_S3_ENDPOINT_URL else "auto")
# Behind nginx: a permitted download is sent by nginx from an internal location (core/uploads.py serve_upload,
# deploy/cluster/nginx.conf), so a large file does not hold a gunicorn worker.
MITWIRKEN_ACCEL_REDIRECT = env_bool("MITWIRKEN_ACCEL_REDIRECT", False)

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Mail to an address someone typed in (alerts, anonymous reports, statements without account, feedback):
# per target address across all forms, and per IP per form (core/spam.py typed_address_over_limit).
MITWIRKEN_TYPED_MAIL_LIMITS = {"address": "5/h", "ip": "20/h"}
MITWIRKEN_MAX_IMAGE_BYTES = 10 * 1024 * 1024
MITWIRKEN_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
# Sign-language (DGS) videos uploaded by the portal or an organisation (organisations/sign_language.py).
MITWIRKEN_MAX_VIDEO_BYTES = int(os.environ.get("MAX_VIDEO_MB", "300")) * 1024 * 1024
# Where people get help in DGS when the portal has no video for their question (the Gebärdensprache page).
PORTAL_CONTACT_EMAIL = os.environ.get("PORTAL_CONTACT_EMAIL", "")
PORTAL_CONTACT_PHONE = os.environ.get("PORTAL_CONTACT_PHONE", "")
# Registrations to events are anonymised this many days after the event ended (the counts stay).
MITWIRKEN_EVENT_RETENTION_DAYS = int(os.environ.get("EVENT_RETENTION_DAYS", "90"))

# Recognitions of volunteering that the portal checks confirmed hours against (volunteering/recognitions.py).
# A volunteer qualifies when, over the last ``years`` years, each year has at least ``hours_per_year`` confirmed
# unpaid hours, or the hours average ``hours_per_week`` a week over the whole period (0 turns that path off).
# Other states' cards differ: operators replace this list (docs/volunteering.md).
MITWIRKEN_VOLUNTEER_RECOGNITIONS = [
    {
        "key": "ehrenamtskarte",
        "name": "Ehrenamtskarte Rheinland-Pfalz",
        "minimum_age": 16,
        "hours_per_week": 5,
        "hours_per_year": 250,
        "years": 2,
        "municipality_confirms": True,
    },
    {
        "key": "kompetenznachweis",
        "name": "Engagement- und Kompetenznachweis Rheinland-Pfalz",
        "minimum_age": 14,
        "hours_per_week": 0,
        "hours_per_year": 80,
        "years": 1,
        "municipality_confirms": False,
    },
]
# Under this age a parent must consent before a volunteer applies or signs up.
MITWIRKEN_VOLUNTEER_CONSENT_AGE = 16
# § 72a SGB VIII: a police-certificate record is deleted at the latest this many days after the engagement ends.
MITWIRKEN_POLICE_RECORD_DAYS = 92

# E-mail: every message is handed to the task queue; the worker delivers it
# through MITWIRKEN_EMAIL_DELIVERY_BACKEND (SMTP in production).
EMAIL_BACKEND = "mitwirken.core.mail.TaskQueueEmailBackend"
MITWIRKEN_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mitwirken <noreply@mitwirken.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Geocoding (core/remote_geocoder.py): the address register first, then this optional remote service, a URL with
# "{query}" (Nominatim-compatible or the BKG's geosearch); a page waits at most the timeout for it.
MITWIRKEN_GEOCODER_URL = os.environ.get("GEOCODER_URL", "")
MITWIRKEN_GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "2"))
MITWIRKEN_GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "mitwirken Beteiligungsportal")

TASK_QUEUES = ["default", "email"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

# The base map under every map: an XYZ/WMTS (RESTful) tile URL with {z}/{x}/{y}. By default the official German
# base map, basemap.de Web Raster of the BKG (open licence CC BY 4.0, attribution required); MAP_TILE_URL=off
# shows no base map (outlines and places only); MAP_TILE_URL=demo draws a demo map from the demo data on this
# server (core/demo_tiles.py: machines without internet, the docs' screenshots). The CSP allows exactly the
# configured tile host.
BASEMAP_DE_TILE_URL = (
    "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/"
    "GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
)
_tile_url = os.environ.get("MAP_TILE_URL", "").strip()
MITWIRKEN_TILE_URL = "" if _tile_url.lower() in ("off", "none", "aus") else (_tile_url or BASEMAP_DE_TILE_URL)
_basemap_de = MITWIRKEN_TILE_URL == BASEMAP_DE_TILE_URL
if MITWIRKEN_TILE_URL.lower() == "demo":
    MITWIRKEN_TILE_URL = "demo"
MITWIRKEN_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip() or (
    f"© GeoBasis-DE / BKG ({datetime.datetime.now(datetime.UTC).year}) CC BY 4.0"
    if _basemap_de
    else "Demo-Karte aus den Demodaten von mitwirken"
    if MITWIRKEN_TILE_URL == "demo"
    else ""
)
MITWIRKEN_TILE_MAX_ZOOM = int(os.environ.get("MAP_TILE_MAX_ZOOM", "18"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent only where HSTS is on (production); the portal is HTTPS-only for good, so browsers may preload it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Probes and Prometheus talk plain HTTP to gunicorn directly.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Only behind a proxy that sets X-Forwarded-Proto itself (and strips it from clients) may the portal trust it;
# otherwise any client could claim HTTPS. Off unless the operator says so.
if env_bool("TRUSTED_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Per-address rate limits behind a proxy: the client's address from the header the proxy sets and overwrites
# (nginx: X-Real-IP), not the proxy's own address, which all visitors would share (core/http.py client_address).
_client_ip_header = os.environ.get("TRUSTED_PROXY_CLIENT_IP_HEADER", "").strip()
if _client_ip_header:
    MITWIRKEN_CLIENT_IP_META_KEY = "HTTP_" + _client_ip_header.upper().replace("-", "_")
    RATELIMIT_IP_META_KEY = "mitwirken.core.http.client_address"
# /healthz and /readyz show details (database, cache, storage, task backlog) only to portal administrators or
# with ?token=HEALTHZ_TOKEN.
MITWIRKEN_HEALTHZ_TOKEN = env_secret("HEALTHZ_TOKEN", "") or ""
# Public lists are shared among anonymous visitors until their data changes (core/pagecache.py); 0 switches it off.
MITWIRKEN_PAGE_CACHE = env_bool("MITWIRKEN_PAGE_CACHE", True)
# /metrics (Prometheus) answers direct connections from these networks, or a request with
# "Authorization: Bearer METRICS_TOKEN"; everyone else gets 404 (core/observability.py may_scrape).
try:
    MITWIRKEN_METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(item, strict=False) for item in env_list("METRICS_ALLOWED_IPS", "127.0.0.0/8,::1")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS must list addresses or networks: {error}") from error
MITWIRKEN_METRICS_TOKEN = env_secret("METRICS_TOKEN", "") or ""
# gunicorn's workers are separate processes: prometheus-client sums them from files in this directory (read by
# prometheus-client itself). A missing directory would fail every request, so it stops the start instead.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if _metrics_dir and not Path(_metrics_dir).is_dir():
    raise ImproperlyConfigured(f"PROMETHEUS_MULTIPROC_DIR={_metrics_dir!r} is not a directory; create it first.")

# BundID and Mein Unternehmenskonto over SAML (docs/identity.md). The portal's key pair comes from files.
# Development and tests use the public test keys in devtools/saml-test-keys, which production refuses
# (startup check accounts.E001). A second pair (NEXT) is announced in the metadata for a key rollover.
SAML_TEST_KEYS_DIR = PROJECT_ROOT / "devtools" / "saml-test-keys"
MITWIRKEN_SAML_KEY_FILE = os.environ.get(
    "MITWIRKEN_SAML_KEY_FILE", "" if PRODUCTION else str(SAML_TEST_KEYS_DIR / "sp.key")
)
MITWIRKEN_SAML_CERT_FILE = os.environ.get(
    "MITWIRKEN_SAML_CERT_FILE", "" if PRODUCTION else str(SAML_TEST_KEYS_DIR / "sp.crt")
)
MITWIRKEN_SAML_NEXT_KEY_FILE = os.environ.get("MITWIRKEN_SAML_NEXT_KEY_FILE", "")
MITWIRKEN_SAML_NEXT_CERT_FILE = os.environ.get("MITWIRKEN_SAML_NEXT_CERT_FILE", "")
# The address the identity providers know the portal by; empty outside production: the request's own host.
MITWIRKEN_SAML_BASE_URL = os.environ.get("MITWIRKEN_SAML_BASE_URL", SITE_URL if PRODUCTION else "").rstrip("/")
# BundID's mandatory display information (from the registration with BundID).
MITWIRKEN_SAML_DISPLAY_NAME = os.environ.get("MITWIRKEN_SAML_DISPLAY_NAME", "Beteiligungsportal")
MITWIRKEN_SAML_ONLINE_SERVICE_ID = os.environ.get("MITWIRKEN_SAML_ONLINE_SERVICE_ID", "")
# Mein Unternehmenskonto's attribute names, as JSON ({"organisation_name": "urn:oid:…", …}); see docs/identity.md.
MITWIRKEN_SAML_MUK_ATTRIBUTES = json.loads(os.environ.get("MITWIRKEN_SAML_MUK_ATTRIBUTES", "") or "{}")
MITWIRKEN_SAML_XMLSEC_BINARY = os.environ.get("MITWIRKEN_SAML_XMLSEC_BINARY", "") or shutil.which("xmlsec1") or ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "mitwirken.core.logging.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"request_id": {"()": "mitwirken.core.logging.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # pysaml2 logs whole (decrypted) assertions at DEBUG and parts of them in its errors: personal data and
    # person keys. The portal's own SAML code logs what went wrong without content.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "saml2": {"level": "CRITICAL"}},
}

if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
    MITWIRKEN_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Matrix tests log staff in and then travel weeks ahead in time; the expiry has a test of its own.
    MITWIRKEN_STAFF_SESSION_MAX_AGE = 10 * 365 * 86400
    MEDIA_ROOT = VAR_DIR / "test-media"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not memory: live-server tests then get one connection per thread, as in production,
        # and concurrent requests (the deadline burst test) really run concurrently.
        # One file per test process, so two test runs on one machine never share it.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]

FORM_RENDERER = "mitwirken.core.forms.KernFormRenderer"
