import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, DEFAULT_SQLITE_PATH, cache_config, database_config, env_bool


def test_without_database_url_the_shop_uses_an_sqlite_file_in_the_project():
    config = database_config(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(DEFAULT_SQLITE_PATH)
    assert DEFAULT_SQLITE_PATH.parent == BASE_DIR


def test_a_postgres_database_url_selects_postgresql_with_its_credentials():
    config = database_config("postgres://shop:secret@db.internal:6543/storefront")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "storefront")
    assert (config["USER"], config["PASSWORD"]) == ("shop", "secret")
    assert config["CONN_HEALTH_CHECKS"] is True


def test_redis_url_selects_djangos_redis_cache_and_local_memory_otherwise():
    assert cache_config("redis://127.0.0.1:6379/1")["default"]["BACKEND"] == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert cache_config(None)["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_boolean_settings_reject_values_that_are_not_yes_or_no():
    assert env_bool("DEBUG", environ={"DEBUG": "true"}) is True
    assert env_bool("DEBUG", environ={"DEBUG": "0"}) is False
    assert env_bool("DEBUG", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def _import_settings(module, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=BASE_DIR, env=environ, capture_output=True, text=True,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _import_settings("config.settings.production", ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = _import_settings("config.settings.production", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_the_test_suite_database_follows_database_url():
    from django.conf import settings

    expected = database_config(os.environ.get("DATABASE_URL"))["ENGINE"]
    assert settings.DATABASES["default"]["ENGINE"] == expected
