"""How environment variables become settings (config/env.py) in every environment."""

import os
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler
from storages.backends.s3 import S3Storage

from config.env import (
    BASE_DIR,
    DEFAULT_SQLITE_PATH,
    cache_config,
    database_config,
    env_bool,
    env_float,
    env_int,
    media_origins,
    media_storage_config,
    search_config,
    tasks_config,
)


def test_without_database_url_the_shop_uses_an_sqlite_file_in_the_project():
    config = database_config(None)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(DEFAULT_SQLITE_PATH)
    assert DEFAULT_SQLITE_PATH.parent == BASE_DIR


def test_an_sqlite_file_queues_writers_and_lets_pages_read_while_one_writes(
    tmp_path, django_db_blocker
):
    handler = ConnectionHandler({"default": database_config(f"sqlite:///{tmp_path}/shop.db")})
    database = handler["default"]
    try:
        with django_db_blocker.unblock(), database.cursor() as cursor:
            journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
            busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    finally:
        database.close()

    assert database.transaction_mode == "IMMEDIATE"
    assert (journal_mode, synchronous) == ("wal", 1)  # 1: NORMAL
    assert busy_timeout == 20_000


def test_an_sqlite_url_may_set_its_own_busy_timeout():
    options = database_config("sqlite:////var/lib/shop/shop.db?timeout=5")["OPTIONS"]
    assert options["timeout"] == 5
    assert options["transaction_mode"] == "IMMEDIATE"


def test_a_postgres_database_url_selects_postgresql_with_its_credentials():
    config = database_config("postgres://shop:secret@db.internal:6543/storefront")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "storefront")
    assert (config["USER"], config["PASSWORD"]) == ("shop", "secret")
    assert config["CONN_HEALTH_CHECKS"] is True


def test_an_unreachable_postgres_server_fails_within_seconds_unless_the_url_says_otherwise():
    assert database_config("postgres://shop@db/shop")["OPTIONS"]["connect_timeout"] == 5
    config = database_config("postgres://shop@db/shop?connect_timeout=20")
    assert config["OPTIONS"]["connect_timeout"] == 20


def test_behind_a_transaction_pooler_django_opens_no_server_side_cursor():
    # PgBouncer's transaction mode hands each transaction its own server connection: a cursor
    # declared in one would be gone, or another client's, in the next.
    pooled = database_config("postgres://shop@127.0.0.1:6432/shop", pooler="transaction")
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert not pooled["OPTIONS"].get("server_side_binding")  # no prepared statements either
    direct = database_config("postgres://shop@127.0.0.1:5432/shop")
    assert direct["DISABLE_SERVER_SIDE_CURSORS"] is False
    session = database_config("postgres://shop@127.0.0.1:6432/shop", pooler="session")
    assert session["DISABLE_SERVER_SIDE_CURSORS"] is False


def test_an_unknown_pooler_mode_stops_startup_with_the_accepted_values():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER must be 'transaction'"):
        database_config("postgres://shop@db/shop", pooler="statement")


def test_redis_url_selects_djangos_redis_cache_and_local_memory_otherwise():
    assert cache_config("redis://127.0.0.1:6379/1")["default"]["BACKEND"] == (
        "config.redis_cache.RedisCache"
    )
    assert cache_config(None)["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_redis_gives_up_on_a_call_after_the_timeout_and_skips_itself_for_the_retry_pause():
    options = cache_config("redis://127.0.0.1:6379/1", timeout_seconds=0.25,
                           outage_retry_seconds=12)["default"]["OPTIONS"]
    assert options["socket_connect_timeout"] == options["socket_timeout"] == 0.25
    assert options["OUTAGE_RETRY_SECONDS"] == 12


def test_boolean_settings_reject_values_that_are_not_yes_or_no():
    assert env_bool("DEBUG", environ={"DEBUG": "true"}) is True
    assert env_bool("DEBUG", environ={"DEBUG": "0"}) is False
    assert env_bool("DEBUG", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_number_settings_reject_words():
    assert env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": "587"}) == 587
    assert env_float("REDIS_TIMEOUT", 0.5, environ={"REDIS_TIMEOUT": "0.2"}) == 0.2
    assert env_float("REDIS_TIMEOUT", 0.5, environ={}) == 0.5
    assert env_int("EMAIL_PORT", 25, environ={}) == 25
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": "smtp"})
    with pytest.raises(ImproperlyConfigured, match="REDIS_TIMEOUT must be a number"):
        env_float("REDIS_TIMEOUT", 0.5, environ={"REDIS_TIMEOUT": "fast"})


def test_search_uses_the_database_unless_a_search_cluster_is_configured():
    assert search_config()["default"]["BACKEND"] == "wagtail.search.backends.database"


def test_a_search_url_alone_switches_search_to_opensearch():
    backend = search_config(urls=["https://search.internal:9200"])["default"]
    assert backend["BACKEND"] == "wagtail.search.backends.opensearch3"
    assert backend["URLS"] == ["https://search.internal:9200"]
    assert backend["INDEX_PREFIX"] == "storefront_"


def test_search_backend_picks_the_elasticsearch_version():
    backend = search_config("elasticsearch8", urls=["http://es:9200"], index_prefix="shop_")
    assert backend["default"]["BACKEND"] == "wagtail.search.backends.elasticsearch8"
    assert backend["default"]["INDEX_PREFIX"] == "shop_"


@pytest.mark.parametrize(
    ("backend", "urls", "message"),
    [
        ("opensearch3", [], "set SEARCH_URL"),
        ("solr", ["http://solr:8983"], "SEARCH_BACKEND must be 'database' or one of"),
        ("database", ["http://es:9200"], "SEARCH_URL is set but SEARCH_BACKEND is 'database'"),
    ],
)
def test_inconsistent_search_settings_stop_the_shop_with_a_reason(backend, urls, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        search_config(backend, urls=urls)


def test_uploaded_media_stay_on_the_local_disk_without_a_bucket():
    assert media_storage_config({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_public_bucket_behind_a_cdn_serves_images_from_the_cdn_address():
    config = media_storage_config(
        {
            "MEDIA_S3_BUCKET": "shop-media",
            "MEDIA_S3_CUSTOM_DOMAIN": "media.shop.example.com",
            "MEDIA_S3_SIGNED_URLS": "false",
        }
    )
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**config["OPTIONS"])
    assert storage.url("images/xps-13.jpg") == "https://media.shop.example.com/images/xps-13.jpg"
    assert storage.file_overwrite is False


@pytest.mark.parametrize(
    "environ",
    [
        {"MEDIA_S3_BUCKET": "shop-media"},
        {"MEDIA_S3_BUCKET": "shop-media", "MEDIA_S3_REGION": "eu-west-1"},
        {"MEDIA_S3_BUCKET": "shop-media", "MEDIA_S3_ENDPOINT_URL": "https://minio.internal:9000"},
        {"MEDIA_S3_BUCKET": "shop-media", "MEDIA_S3_CUSTOM_DOMAIN": "media.shop.example.com"},
    ],
    ids=["aws", "aws_region", "s3_compatible", "cdn"],
)
def test_the_content_security_policy_allows_images_from_where_the_bucket_serves_them(
    environ, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "shop-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "shop-secret")
    url = S3Storage(**media_storage_config(environ)["OPTIONS"]).url("images/xps-13.jpg")
    parts = urlsplit(url)
    assert media_origins(environ)[0] == f"{parts.scheme}://{parts.netloc}"


def test_local_media_need_no_origin_beyond_the_shops_own():
    assert media_origins({}) == []


def test_a_private_bucket_on_an_s3_compatible_service_gets_signed_image_urls(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "shop-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "shop-secret")
    config = media_storage_config(
        {
            "MEDIA_S3_BUCKET": "shop-media",
            "MEDIA_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "MEDIA_S3_REGION": "eu-west-1",
        }
    )
    url = S3Storage(**config["OPTIONS"]).url("images/xps-13.jpg")
    assert url.startswith("https://minio.internal:9000/shop-media/images/xps-13.jpg?")
    assert "X-Amz-Signature=" in url


def test_tasks_run_in_the_request_or_wait_in_the_database_for_a_worker():
    assert tasks_config("immediate")["default"]["BACKEND"] == (
        "django_tasks.backends.immediate.ImmediateBackend"
    )
    assert tasks_config("database")["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND must be one of"):
        tasks_config("celery")


def test_the_test_suite_database_follows_database_url():
    from django.conf import settings

    expected = database_config(os.environ.get("DATABASE_URL"))["ENGINE"]
    assert settings.DATABASES["default"]["ENGINE"] == expected


def test_the_test_suite_ignores_services_exported_in_the_shell(settings):
    assert cache_config(None) == settings.CACHES
    assert search_config() == settings.WAGTAILSEARCH_BACKENDS
    assert tasks_config("immediate") == settings.TASKS
    assert settings.STORAGES["default"] == media_storage_config({})
