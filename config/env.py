"""Read the shop's configuration from environment variables.

Plain functions so that the rules (which database, which cache) are tested once,
independently of the settings module that calls them.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = BASE_DIR / "db.sqlite3"


def env_bool(name, default=False, environ=os.environ):
    value = environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=(), environ=os.environ):
    value = environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def database_config(url=None):
    """Database settings for DATABASE_URL; an SQLite file in the project folder when unset."""
    if not url:
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
    return config


def cache_config(redis_url=None):
    """Redis (Django's own backend) when REDIS_URL is set, process-local memory otherwise."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "storefront",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "storefront",
        }
    }
