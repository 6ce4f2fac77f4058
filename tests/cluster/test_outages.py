"""Parts of the cluster fail while shoppers keep buying: nothing is lost, doubled or left
half-written. (Runs after test_coherence.py: the last test leaves one app server dead.)"""

import threading
import time

from bench.cluster import Browser
from commerce.orders.models import MAX_QUANTITY
from tests.cluster.conftest import (
    add_to_cart,
    cart_quantities,
    orders_by_email,
    products_in_stock,
    submit_checkout,
)


def keep_adding(browser, products, stop, outcomes):
    """Add one unit after another, in turn, until `stop`: [(time, status, product id)] in
    `outcomes`."""
    number = 0
    while not stop.is_set():
        time.sleep(0.005)
        product = products[number % len(products)]
        try:
            status, _server = add_to_cart(browser, product["id"])
        except OSError:
            status = "no answer"
        outcomes.append((time.monotonic(), status, product["id"]))
        number += 1


def test_a_pgbouncer_restart_fails_requests_briefly_and_writes_nothing_by_halves(cluster):
    # Enough products that no line reaches the cart's 99-unit limit, where an add is refused
    # with the same redirect as an add that succeeds.
    products = products_in_stock(cluster, 20)
    browser = Browser(cluster.url)
    stop, outcomes = threading.Event(), []
    shopper = threading.Thread(target=keep_adding, args=(browser, products, stop, outcomes))
    shopper.start()
    time.sleep(2)
    restarted_at = time.monotonic()
    cluster.restart_pgbouncer(down_seconds=1)
    back_at = time.monotonic()
    time.sleep(3)
    stop.set()
    shopper.join()

    failed = [at for at, status, _pk in outcomes if status != 302]
    assert all(restarted_at - 0.5 <= at <= back_at + 2 for at in failed), (
        "requests failed outside the restart", failed, restarted_at, back_at
    )
    assert [status for at, status, _pk in outcomes if at > back_at + 2] != []
    assert {status for at, status, _pk in outcomes if at > back_at + 2} == {302}
    # Every add that answered "added" is in the cart, none twice. One that failed may have
    # committed before its answer was lost, but then whole: at most its one unit.
    added, failed_adds = {}, {}
    for _at, status, pk in outcomes:
        counts = added if status == 302 else failed_adds
        counts[pk] = counts.get(pk, 0) + 1
    assert max(added[pk] + failed_adds.get(pk, 0) for pk in added) < MAX_QUANTITY
    in_cart = cart_quantities(browser)
    assert set(in_cart) == set(added)
    for pk, quantity in in_cart.items():
        assert added[pk] <= quantity <= added[pk] + failed_adds.get(pk, 0), (pk, quantity)


def test_an_app_server_killed_mid_run_loses_and_doubles_no_order(cluster):
    product = products_in_stock(cluster, 1, stock=1000)[0]
    buyers = [Browser(cluster.url) for _ in range(24)]
    emails = [f"survivor{number}@example.com" for number in range(len(buyers))]
    for buyer in buyers:
        assert add_to_cart(buyer, product["id"])[0] == 302
    outcomes = {}

    def buy(buyer, email):
        # A shopper whose page failed presses "Place order" again: the same form, the same
        # checkout token.
        outcome, form = "not tried", None
        for _attempt in range(4):
            try:
                outcome, form = submit_checkout(buyer, email, form)
            except OSError as error:
                outcome = f"other: {error!r}"
            if outcome == "order":
                break
            time.sleep(0.5)
        outcomes[email] = outcome

    threads = [threading.Thread(target=buy, args=pair) for pair in zip(buyers, emails,
                                                                       strict=True)]
    for thread in threads[:12]:
        thread.start()
    time.sleep(0.3)
    cluster.kill("app2")
    for thread in threads[12:]:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == dict.fromkeys(emails, "order")
    assert orders_by_email(cluster, emails) == dict.fromkeys(emails, 1)
    stock = cluster.python(f"""
from products.models import ProductPage
result = ProductPage.objects.get(pk={product["id"]}).stock
""")
    assert stock == 1000 - len(buyers)
    answers = [Browser(cluster.url).get("/shop/")[0] for _ in range(10)]
    assert answers == [200] * 10
