"""A Redis outage, dead or hung: the shop keeps serving, pays one short timeout, and says so.

Each test runs its own throwaway redis-server on a free loopback port, and kills it (dead) or
stops it with SIGSTOP (hung: connections are accepted, nothing ever answers).
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches

from config import redis_cache
from config.env import cache_config
from home.shared.rate_limits import count_within_window
from tests.factories import make_contact_page, make_product

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")
TIMEOUT_SECONDS = 0.2
RETRY_SECONDS = 30


class ThrowawayRedis:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _attempt in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def hang(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self):
        if self.process.poll() is None:
            self.resume()
            self.kill()


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def redis_server():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server).")
    server = ThrowawayRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock(monkeypatch, redis_server):
    """The outage breaker's clock, so a test can let the retry pause pass without waiting."""
    clock = Clock()
    monkeypatch.setattr(redis_cache, "_breakers", {
        redis_server.url: redis_cache.OutageBreaker(redis_server.url, RETRY_SECONDS, clock)
    })
    return clock


@pytest.fixture
def shop_on_redis(settings, redis_server, clock):
    settings.CACHES = cache_config(
        redis_server.url, timeout_seconds=TIMEOUT_SECONDS, outage_retry_seconds=RETRY_SECONDS
    )
    settings.PAGE_CACHE_ENABLED = True
    return redis_server


@pytest.fixture
def redis_calls(monkeypatch):
    """How many times the cache took a connection to Redis (to send it a command)."""
    calls = []
    get_connection = redis.ConnectionPool.get_connection

    def counted(pool, *args, **kwargs):
        calls.append(pool)
        return get_connection(pool, *args, **kwargs)

    monkeypatch.setattr(redis.ConnectionPool, "get_connection", counted)
    return calls


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Dell XPS 13", price="1200.00", stock=5)


@pytest.fixture
def mouse(product_index):
    return make_product(product_index, "Logitech Mouse", price="25.00", stock=5)


@pytest.fixture
def shop_pages(home_page, product_index, laptop):
    contact = make_contact_page(home_page)
    return [
        home_page.url, product_index.url, laptop.url, "/search/?query=laptop", "/cart/",
        "/checkout/", contact.url, "/accounts/login/",
    ]


@pytest.fixture(params=["dead", "hung"])
def outage(request, shop_on_redis):
    """Start the outage: kill Redis, or stop it so it accepts connections and never answers."""
    return lambda: shop_on_redis.kill() if request.param == "dead" else shop_on_redis.hang()


def served_from_cache(response):
    return response.get("X-Page-Cache") == "hit"


def add_to_cart(client, product):
    return client.post("/cart/add/", {"product": product.pk, "quantity": 1})


def test_every_page_is_served_while_redis_is_down(client, shop_pages, laptop, outage):
    client.get(laptop.url)
    assert served_from_cache(client.get(laptop.url))

    outage()

    for url in shop_pages:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert not served_from_cache(response)
    assert add_to_cart(client, laptop).status_code == 302
    assert "Dell XPS 13" in client.get("/cart/").content.decode()


def test_an_outage_costs_one_timeout_then_the_cache_is_skipped_without_a_connection(
    client, shop_pages, outage, redis_calls, caplog
):
    outage()

    with caplog.at_level(logging.WARNING, logger="config.redis_cache"):
        client.get(shop_pages[0])
        # The first cache call of the page failed; none of the others tried.
        assert len(redis_calls) == 1
        assert caches["default"].outage_breaker.in_outage

        for request in range(20):
            assert client.get(shop_pages[request % 3]).status_code == 200
        assert len(redis_calls) == 1

    outage_warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_warnings) == 1


def test_after_the_retry_pause_the_cache_is_used_again_once_redis_is_back(
    client, laptop, shop_on_redis, clock, redis_calls
):
    shop_on_redis.kill()
    client.get(laptop.url)
    shop_on_redis.start()

    clock.advance(RETRY_SECONDS - 1)
    client.get(laptop.url)
    assert not served_from_cache(client.get(laptop.url))  # still within the pause
    calls_during_pause = len(redis_calls)

    clock.advance(1)
    client.get(laptop.url)
    assert served_from_cache(client.get(laptop.url))
    assert len(redis_calls) > calls_during_pause
    assert not caches["default"].outage_breaker.in_outage


@pytest.mark.parametrize("stop, error", [("kill", "ConnectionError"), ("hang", "TimeoutError")])
def test_readyz_reports_the_cache_down_and_keeps_the_shop_in_service(
    client, shop_on_redis, stop, error
):
    assert client.get("/readyz").json()["checks"]["cache"] == "ok"
    getattr(shop_on_redis, stop)()

    for _probe in range(2):  # the second probe asks Redis again despite the outage
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "degraded",
            "checks": {"database": "ok", "cache": f"default unreachable ({error})"},
        }


def test_readyz_sees_redis_back_at_once_and_ends_the_outage(client, laptop, shop_on_redis):
    shop_on_redis.kill()
    client.get(laptop.url)
    shop_on_redis.start()

    assert client.get("/readyz").json()["status"] == "ok"
    client.get(laptop.url)
    assert served_from_cache(client.get(laptop.url))


def test_a_cart_changed_during_an_outage_is_not_shadowed_by_the_copy_redis_kept(
    client, laptop, mouse, shop_on_redis, clock
):
    assert add_to_cart(client, laptop).status_code == 302
    shop_on_redis.hang()  # Redis keeps everything it held before the outage
    assert add_to_cart(client, mouse).status_code == 302
    shop_on_redis.resume()
    clock.advance(RETRY_SECONDS)

    client.get("/cart/")  # shows (and uses up) the "Added ..." messages
    cart = client.get("/cart/").content.decode()
    assert "Dell XPS 13" in cart
    assert "Logitech Mouse" in cart


def test_rate_limits_let_shoppers_through_while_the_cache_is_down_and_say_so(
    shop_on_redis, caplog
):
    shop_on_redis.kill()
    with caplog.at_level(logging.WARNING, logger="home.shared.rate_limits"):
        counts = [count_within_window("contact:203.0.113.9", 600) for _ in range(10)]
    assert counts == [1] * 10
    assert caplog.text.count("Rate limit contact:203.0.113.9 not enforced") == 10
