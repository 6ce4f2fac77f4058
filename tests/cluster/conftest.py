"""The shop's production shape on loopback (bench/cluster.py): nginx round-robin in front of
two gunicorn app servers, PgBouncer in transaction mode, Redis, two task workers.

Starting it takes a minute or two, so these tests run only when asked:
`SHOP_CLUSTER_TESTS=1 .venv/bin/python -m pytest tests/cluster -q` (CI does, in .ci/run).
They need nginx, pgbouncer and redis-server (Debian packages) and PostgreSQL on
127.0.0.1:5432 (user postgres, trust), and skip saying which is missing.
"""

import os
import threading

import pytest

from bench.cluster import (  # noqa: F401 (the tests' helpers, used from here)
    Browser,
    Cluster,
    add_to_cart,
    cart_quantities,
    missing_programs,
    postgres_unreachable,
    submit_checkout,
)

# Another run on the same PostgreSQL (CI, say) may be using the default one.
DATABASE = os.environ.get("SHOP_CLUSTER_DATABASE", "storefront_cluster_tests")
HOW_TO_RUN = "set SHOP_CLUSTER_TESTS=1 to run them (README, 'Scaling out')"


def cluster_unavailable():
    if os.environ.get("SHOP_CLUSTER_TESTS") != "1":
        return f"cluster tests start nginx, PgBouncer and two app servers: {HOW_TO_RUN}"
    if reason := missing_programs() or postgres_unreachable():
        return f"{reason} (apt-get install nginx pgbouncer redis-server)"
    return ""


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    if reason := cluster_unavailable():
        pytest.skip(reason)
    shop = Cluster(DATABASE, app_servers=2, gunicorn_workers=2, task_workers=2,
                   work_dir=tmp_path_factory.mktemp("cluster"))
    with shop:
        yield shop
    shop.drop_database()


@pytest.fixture
def browser(cluster):
    """A new visitor's browser, talking to the load balancer."""
    return Browser(cluster.url)


def products_in_stock(cluster, count, stock=500):
    """`count` live products sold in one configuration, given `stock` units each:
    [{"id", "title", "url"}]."""
    return cluster.python(f"""
from django.db.models import Count
from products.models import ProductPage
from products.stock import sync_products
from products.variants import ProductVariant
chosen = list(
    ProductPage.objects.live().annotate(configurations=Count("variants"))
    .filter(configurations=1).order_by("path")[:{count}]
)
ProductVariant.objects.filter(product__in=chosen).update(stock={stock})
sync_products([p.pk for p in chosen])
result = [{{"id": p.pk, "title": p.title, "url": p.url}} for p in chosen]
""")


def run_at_once(calls):
    """Start every call in its own thread at the same moment; their results, in order."""
    start_line = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(number, call):
        start_line.wait()
        try:
            results[number] = call()
        except Exception as error:  # counted, never hidden
            results[number] = f"other: {error!r}"

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def orders_by_email(cluster, emails):
    """{billing email: number of placed orders} for the given guests."""
    return cluster.python(f"""
from django.db.models import Count
from commerce.orders.models import Order
rows = (Order.objects.placed().filter(billing_email__in={list(emails)!r})
        .values("billing_email").annotate(n=Count("pk")))
result = {{row["billing_email"]: row["n"] for row in rows}}
""")
