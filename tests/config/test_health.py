"""/healthz and /readyz, as a load balancer or an orchestrator probes them."""

import pytest

from config.env import cache_config

BROKEN_DATABASE_PROBE = """
from django.test import Client
client = Client()
ready, live, page = client.get("/readyz"), client.get("/healthz"), client.get("/")
print(json.dumps({
    "ready": [ready.status_code, ready.json()],
    "live": live.status_code,
    "page": [page.status_code, page.get("Location")],
}))
"""


def test_healthz_answers_while_the_process_is_up_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_and_cache_answer(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_cache_but_keeps_the_server_in_service(client, settings):
    settings.CACHES = cache_config("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    # Pages are served without the cache; every server shares it, so a 503 would take the
    # whole shop out of the load balancer.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "default unreachable (ConnectionError)"},
    }


def test_readyz_reports_a_broken_database_as_unhealthy(run_production):
    probes = run_production(
        BROKEN_DATABASE_PROBE,
        DATABASE_URL="postgres://shop@127.0.0.1:1/shop",  # nothing listens on port 1
        ALLOWED_HOSTS="testserver,shop.example.com",
    )
    assert probes["ready"] == [
        503,
        {
            "status": "unavailable",
            "checks": {"database": "default unreachable (OperationalError)", "cache": "ok"},
        },
    ]
    # The process itself is fine: restarting it would not help.
    assert probes["live"] == 200
    # Probes use plain HTTP and are not redirected; shoppers are sent to HTTPS.
    assert probes["page"] == [301, "https://testserver/"]
