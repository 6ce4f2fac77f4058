"""The production settings, loaded in a fresh process as gunicorn would load them."""

import http.client
import json
import os
import runpy
import socket
import subprocess
import sys
import time

import pytest

from config.env import BASE_DIR

SETTINGS_AS_JSON = """
from django.conf import settings
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY", "CSRF_TRUSTED_ORIGINS", "SHOP_BASE_URL", "WAGTAILADMIN_BASE_URL",
    "WAGTAILAPI_BASE_URL", "ADMINS",
    "TASKS", "STORAGES", "CACHES", "SESSION_ENGINE",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def test_check_deploy_reports_no_warnings(run_python, production_env):
    result = run_python(
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **production_env,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("environment", "reason"),
    [
        ({"SECRET_KEY": ""}, "Set the SECRET_KEY environment variable"),
        ({"ALLOWED_HOSTS": ""}, "Set ALLOWED_HOSTS"),
        ({"SHOP_BASE_URL": ""}, "Set SHOP_BASE_URL"),
        ({"SHOP_BASE_URL": "http://localhost:8000"}, "SHOP_BASE_URL must be the address"),
        ({"SHOP_BASE_URL": "http://shop.example.com"}, "over https"),
        ({"SHOP_BASE_URL": "https://other.example.com"}, "is not in ALLOWED_HOSTS"),
        ({"SHOP_BASE_URL": "https://shop.example.com/shop/"}, "(no path)"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole number"),
        ({"SHOP_CURRENCY": "euro"}, "SHOP_CURRENCY must be a three-letter ISO 4217 code"),
    ],
    ids=["without_a_secret_key", "without_allowed_hosts", "without_a_public_address",
         "with_localhost_as_public_address", "with_a_plain_http_address",
         "with_an_address_it_does_not_answer_to", "with_a_path_in_the_address",
         "with_a_malformed_number", "with_a_currency_that_is_not_a_code"],
)
def test_production_settings_refuse_to_start(run_python, production_env, environment, reason):
    result = run_python("import django; django.setup()", **{**production_env, **environment})
    assert result.returncode != 0
    assert reason in result.stderr


def test_production_is_locked_down_with_only_the_required_variables(run_production):
    settings = run_production(SETTINGS_AS_JSON, DEBUG="true")
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["CSRF_COOKIE_SECURE"] and settings["CSRF_COOKIE_HTTPONLY"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://shop.example.com"]
    assert settings["SHOP_BASE_URL"] == "https://shop.example.com"
    # Wagtail's admin emails and the API build their links on the same address.
    assert settings["WAGTAILADMIN_BASE_URL"] == "https://shop.example.com"
    assert settings["WAGTAILAPI_BASE_URL"] == "https://shop.example.com"
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    # Emails and index updates wait for the worker instead of holding up the shopper.
    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert settings["ADMINS"] == []


def test_production_reads_addresses_admins_and_services_from_the_environment(run_production):
    settings = run_production(
        SETTINGS_AS_JSON,
        ALLOWED_HOSTS="shop.example.com,www.shop.example.com",
        CSRF_TRUSTED_ORIGINS="https://shop.example.com",
        SHOP_BASE_URL="https://www.shop.example.com/",
        ADMIN_EMAILS="ops@example.com, cto@example.com",
        REDIS_URL="redis://cache.internal:6379/0",
        MEDIA_S3_BUCKET="shop-media",
    )
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://shop.example.com"]
    assert settings["SHOP_BASE_URL"] == "https://www.shop.example.com"
    assert [email for _, email in settings["ADMINS"]] == ["ops@example.com", "cto@example.com"]
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    # Never read through Redis: a copy kept there during an outage would go stale.
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert settings["STORAGES"]["default"]["OPTIONS"]["bucket_name"] == "shop-media"


def test_production_logs_one_json_object_per_line_on_stdout(run_python, production_env):
    result = run_python(
        "import django, logging\ndjango.setup()\n"
        "logging.getLogger('commerce.checkout').warning('Order %s paid', 'SF-1001')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('commerce.payments').exception('Capture failed')\n",
        **production_env,
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(event["level"], event["logger"], event["message"]) for event in events] == [
        ("WARNING", "commerce.checkout", "Order SF-1001 paid"),
        ("ERROR", "commerce.payments", "Capture failed"),
    ]
    assert "ZeroDivisionError" in events[1]["exception"]


def test_gunicorn_accepts_its_config_and_loads_the_shop(run_python, production_env):
    result = run_python(
        "import sys; from gunicorn.app.wsgiapp import run\n"
        "sys.argv = ['gunicorn', '-c', 'config/gunicorn.conf.py', '--print-config']\n"
        "run()",
        **production_env,
    )
    assert result.returncode == 0, result.stderr
    printed = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert printed["wsgi_app"] == "config.wsgi:application"
    assert printed["accesslog"] == "-"
    assert printed["timeout"] == "30"


def gunicorn_config(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "config" / "gunicorn.conf.py"))


def test_gunicorn_runs_two_workers_per_core_plus_one(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert gunicorn_config(monkeypatch)["workers"] == 2 * cores + 1


def test_web_concurrency_overrides_the_number_of_gunicorn_workers(monkeypatch):
    assert gunicorn_config(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_response_headers(port, attempts=120):
    """The headers of GET /healthz, once gunicorn answers (or None if it never did)."""
    for _ in range(attempts):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "shop.example.com"})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response
        except OSError:
            time.sleep(0.5)
    return None


def test_gunicorn_does_not_name_itself_in_a_server_header(production_env, tmp_path):
    port = free_loopback_port()
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **production_env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
        cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        response = first_response_headers(port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert response is not None, (tmp_path / "gunicorn.log").read_text()[-2000:]
    assert response.status == 200
    assert response.getheader("Server") is None
