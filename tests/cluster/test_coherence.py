"""Carts, the page cache, stock and emails stay right when consecutive requests land on
different app servers (through nginx) and two task workers share the queue."""

import re
import time
from decimal import Decimal

from bench.cluster import Browser, form_fields
from tests.cluster.conftest import (
    add_to_cart,
    cart_quantities,
    orders_by_email,
    products_in_stock,
    run_at_once,
    submit_checkout,
)

MARKETER_PASSWORD = "cluster-marketer-pass-42"


def test_consecutive_requests_are_spread_over_both_app_servers(cluster, browser):
    answered_by = {browser.get("/healthz")[1]["x-upstream"] for _ in range(6)}
    assert answered_by == {url.removeprefix("http://") for url in cluster.app_servers.values()}


def test_an_anonymous_cart_built_across_servers_comes_out_whole_and_merges_at_log_in(
    cluster, browser
):
    products = products_in_stock(cluster, 4)
    cluster.python("""
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("merge-shopper", "merge@example.com", "cluster-pass-42")
""")
    servers = set()
    for number, product in enumerate(products, start=1):
        status, server = add_to_cart(browser, product["id"], quantity=number)
        assert status == 302
        servers.add(server)
    assert len(servers) == 2  # the cart was built on both app servers

    wanted = {product["id"]: number for number, product in enumerate(products, start=1)}
    for _ in range(4):  # read back from each server in turn
        assert cart_quantities(browser) == wanted

    _status, _headers, page = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _body = browser.post("/accounts/login/", {
        "csrfmiddlewaretoken": token, "username": "merge-shopper", "password": "cluster-pass-42",
    })
    assert status == 302, "log-in failed"

    for _ in range(2):
        assert cart_quantities(browser) == wanted
    saved = cluster.python("""
from commerce.orders.models import Order
cart = Order.objects.carts().get(customer__user__username="merge-shopper")
result = {str(item.product_id): item.quantity for item in cart.items.all()}
""")
    assert {int(pk): quantity for pk, quantity in saved.items()} == wanted


def test_a_price_a_marketer_publishes_shows_on_every_server_at_once(cluster, browser):
    product = products_in_stock(cluster, 1)[0]
    # seed_demo adds its demo staff only in development; the cluster runs production settings.
    cluster.python(f"""
from django.contrib.auth import get_user_model
from home.shared.roles import MARKETERS, create_staff_roles
marketer = get_user_model().objects.create_user(
    "cluster-marketer", "cluster-marketer@example.com", {MARKETER_PASSWORD!r})
marketer.groups.add(create_staff_roles()[MARKETERS])
""")
    direct = [Browser(url) for url in cluster.app_servers.values()]
    for server in direct:  # each server has read the page, and it is in the shared cache
        server.get(product["url"])
        assert server.get(product["url"])[1].get("x-page-cache") == "hit"

    # The marketer edits the price in the page editor, through the load balancer.
    _status, _headers, page = browser.get("/admin/login/")
    status, _headers, _body = browser.post("/admin/login/", {
        **form_fields(page, "username"),
        "username": "cluster-marketer", "password": MARKETER_PASSWORD,
    })
    assert status == 302, "the marketer could not log in to the admin"
    editor = f"/admin/pages/{product['id']}/edit/"
    status, _headers, page = browser.get(editor)
    assert status == 200
    form = form_fields(page, "price")
    new_price = Decimal(form["price"]) + Decimal("111.11")
    status, _headers, page = browser.post(
        editor, {**form, "price": str(new_price), "action-publish": "action-publish"}
    )
    assert status == 302, f"publishing failed: {admin_errors(page)}"

    shown = f"${new_price:,}"
    for server in direct:
        _status, _headers, body = server.get(product["url"])
        assert shown in body, f"{server.base_url} still shows the old price"


def admin_errors(page_html):
    """What the Wagtail editor says went wrong, on a form it sent back."""
    return "; ".join(
        " ".join(re.sub(r"<[^>]+>", " ", error).split())
        for error in re.findall(r'class="error-message"[^>]*>(.*?)</p>', page_html, re.DOTALL)
    ) or "no error shown"


def test_fifty_buyers_on_both_servers_for_ten_units_make_ten_orders(cluster):
    product = products_in_stock(cluster, 1, stock=10)[0]
    buyers = [Browser(cluster.url) for _ in range(50)]
    emails = [f"racer{number}@example.com" for number in range(len(buyers))]
    for buyer in buyers:
        assert add_to_cart(buyer, product["id"])[0] == 302

    outcomes = run_at_once([
        lambda buyer=buyer, email=email: submit_checkout(buyer, email)[0]
        for buyer, email in zip(buyers, emails, strict=True)
    ])

    assert sorted(set(outcomes)) == ["order", "out of stock"], outcomes
    assert outcomes.count("order") == 10
    placed = orders_by_email(cluster, emails)
    assert sum(placed.values()) == 10 and set(placed.values()) == {1}
    stock = cluster.python(f"""
from products.models import ProductPage
result = ProductPage.objects.get(pk={product["id"]}).stock
""")
    assert stock == 0

    # Two workers share the queue: each buyer's confirmation is sent once, by one of them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sent = "".join(path.read_text() for path in cluster.email_dir.iterdir())
        if all(f"To: {email}" in sent for email in placed):
            break
        time.sleep(1)
    time.sleep(2)  # a doubled send would be written by now
    sent = "".join(path.read_text() for path in cluster.email_dir.iterdir())
    assert {email: sent.count(f"To: {email}\n") for email in placed} == dict.fromkeys(placed, 1)
    assert not any(f"To: {email}\n" in sent for email in set(emails) - set(placed))


def test_the_scheduled_jobs_run_against_the_cluster(cluster):
    assert ("release_expired_reservations", 0) in cluster.scheduled_runs
    assert ("clear_expired_carts", 0) in cluster.scheduled_runs
