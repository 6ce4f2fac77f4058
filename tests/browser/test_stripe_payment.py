"""Journey: a customer pays by card through Stripe, localstripe standing in for it, with its
mock of Stripe.js (completed where it falls short: tests/browser/stripe_js.py).

From the product page to checkout, then the pay page: a card number cut short (refused in the
page), a card the bank declines, then a good one, typed into Stripe's card field; the order
ends paid. Stripe.js loads under the pay
page's Content-Security-Policy, and neither card number reaches any of the shop's requests,
its logs or its database.
"""

import io
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.handlers.base import BaseHandler
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from commerce.pricing import minor_units
from home.demo_content import DEMO_CUSTOMER_PASSWORD
from products.models import ProductPage
from tests.commerce.payments.conftest import (  # noqa: F401 (fixtures)
    fake_stripe,
    localstripe_server,
)

from .steps import money
from .stripe_js import complete_the_stripe_js_mock, pay_page_loaded, place_card_order, type_card

pytestmark = pytest.mark.django_db(transaction=True)

# Distinctive: no other journey types them. localstripe declines charging the first.
DECLINED_CARD = "4000000000000341"
GOOD_CARD = "5555555555554444"
SECURITY_CODE = "737"


@pytest.fixture
def server_requests(monkeypatch):
    """Every request the live server handles, as text: method, path and query, headers and
    body. Recorded in Django's request handler, so whatever the browser sends is in it."""
    received = []
    handle = BaseHandler.get_response

    def recording(handler, request):
        headers = " ".join(f"{name}: {value}" for name, value in request.headers.items())
        body = request.body.decode("utf-8", "replace")
        received.append(f"{request.method} {request.get_full_path()} {headers} {body}")
        return handle(handler, request)

    monkeypatch.setattr(BaseHandler, "get_response", recording)
    return received


def database_text():
    """All the database holds, as text: `dumpdata` of every model, every row of every table
    (models or not), and the decoded contents of every session."""
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(repr(row) for row in cursor.fetchall())
    sessions = [repr(session.get_decoded()) for session in Session.objects.all()]
    return "\n".join([dump.getvalue(), *rows, *sessions])


def test_a_declined_card_then_a_good_one_pay_the_order_and_neither_reaches_the_shop(
    journey, fake_stripe, settings, server_requests, caplog  # noqa: F811
):
    page = journey.page
    complete_the_stripe_js_mock(page, fake_stripe, settings.STRIPE_JS_URL)
    product = ProductPage.objects.live().filter(stock__gt=1).order_by("pk").first()

    with caplog.at_level(logging.DEBUG):
        journey.log_in("ada", DEMO_CUSTOMER_PASSWORD)
        place_card_order(journey, product)
        order = Order.objects.get(number=re.search(r"/checkout/pay/([\w-]+)/", page.url)[1])
        assert order.status == OrderStatus.AWAITING_PAYMENT
        expect(page.get_by_role("button", name="Pay")).to_contain_text(money(order.total))
        pay_page_loaded(journey, "pay page")

        # A card number cut short is refused in the page: the shopper corrects it there.
        type_card(page, DECLINED_CARD[:12], SECURITY_CODE)
        page.get_by_role("button", name="Pay").click()
        expect(page.get_by_role("alert")).not_to_be_empty()
        expect(page.get_by_role("button", name="Pay")).to_be_enabled()

        type_card(page, DECLINED_CARD, SECURITY_CODE)
        page.get_by_role("button", name="Pay").click()
        # Back on the pay page, told why; the order still waits, its unit still held.
        expect(page.get_by_role("status")).to_contain_text("Your card was declined")
        pay_page_loaded(journey, "card declined")
        assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
        assert ProductPage.objects.get(pk=product.pk).stock == product.stock - 1

        type_card(page, GOOD_CARD, SECURITY_CODE)
        page.get_by_role("button", name="Pay").click()
        journey.wait_for_path(f"/checkout/thank-you/{order.number}/")
        expect(page.locator(".order-facts")).to_contain_text("Paid")
        journey.checkpoint("paid")
        journey.goto(order.get_absolute_url())
        expect(page.locator(".order-facts")).to_contain_text("Paid")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.checkout_detail.amount_captured == order.total
    intent = fake_stripe.client.v1.payment_intents.retrieve(order.checkout_detail.payment_token)
    assert (intent.status, intent.amount) == ("succeeded", minor_units(order.total))
    assert journey.policy_violations == []
    # The recording saw the journey (the log-in form and the returns from Stripe.js) ...
    assert any(request.startswith("POST /accounts/login/") for request in server_requests)
    returns = [r for r in server_requests if f"/checkout/pay/{order.number}/return/" in r]
    assert len(returns) == 2
    # ... and no request, log line or stored row holds either card number.
    for number in (DECLINED_CARD, GOOD_CARD):
        assert [request for request in server_requests if number in request] == []
        assert number not in caplog.text
    database = database_text()
    assert order.number in database  # the dump holds the order ...
    assert DECLINED_CARD not in database and GOOD_CARD not in database  # ... and no card
