"""The shop's production shape on loopback (bench/cluster.py): nginx round-robin in front of
two gunicorn app servers, PgBouncer in transaction mode, Redis, two task workers.

Starting it takes a minute or two, so these tests run only when asked:
`SHOP_CLUSTER_TESTS=1 .venv/bin/python -m pytest tests/cluster -q` (CI does, in .ci/run).
They need nginx, pgbouncer and redis-server (Debian packages) and PostgreSQL on
127.0.0.1:5432 (user postgres, trust), and skip saying which is missing.
"""

import os
import re
import threading

import pytest

from bench.cluster import Browser, Cluster, form_fields, missing_programs, postgres_unreachable
from bench.checkout import DELIVERY

DATABASE = "storefront_cluster_tests"
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
    """`count` live products given `stock` units each: [{"id", "title", "url"}]."""
    return cluster.python(f"""
from products.models import ProductPage
chosen = list(ProductPage.objects.live().order_by("path")[:{count}])
ProductPage.objects.filter(pk__in=[p.pk for p in chosen]).update(stock={stock})
result = [{{"id": p.pk, "title": p.title, "url": p.url}} for p in chosen]
""")


def add_to_cart(browser, product_id, quantity=1):
    """POST the add-to-cart form; (status, the app server that answered)."""
    if "csrftoken" not in browser.cookies:
        browser.get("/accounts/login/")  # any page with a form hands out the CSRF cookie
    status, headers, _body = browser.post(
        "/cart/add/", {"product": product_id, "quantity": quantity}
    )
    return status, headers.get("x-upstream")


def cart_quantities(browser):
    """{product id: quantity} as the cart page shows it."""
    _status, _headers, body = browser.get("/cart/")
    return {
        int(pk): int(quantity)
        for pk, quantity in re.findall(r'id="quantity-(\d+)"[^>]*value="(\d+)"', body)
    }


def submit_checkout(browser, email, form=None):
    """Fill and send the guest checkout form, paying cash on delivery. Returns
    (outcome, form) with outcome "order", "out of stock" or "other: <status>"; `form` is
    what was sent, to send again with the same checkout token."""
    if form is None:
        status, _headers, body = browser.get("/checkout/")
        if status != 200:
            return f"other: checkout page {status}", None
        form = form_fields(body, "checkout_token")
        form.update(DELIVERY)
        form.update({"name": f"Buyer {email}", "email": email, "payment_method": "cod"})
    status, headers, body = browser.post("/checkout/", form)
    if status == 302 and "/checkout/thank-you/" in headers.get("location", ""):
        return "order", form
    if status == 200 and "out of stock" in body:
        return "out of stock", form
    return f"other: {status}", form


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
