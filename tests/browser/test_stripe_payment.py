"""The Stripe pay page in Chromium, with localstripe's mock of Stripe.js.

The mock's card field takes a number, but its confirmCardPayment never sends the card
anywhere: it only runs the 3-D Secure step (a confirm/cancel box) of an intent the server
confirmed already. So this journey cannot end paid (tests/commerce/payments/test_stripe.py
pays through localstripe's API instead). What it shows: Stripe.js loads under the pay page's
Content-Security-Policy, its card field mounts, and a card number typed there reaches none of
the shop's requests, its logs or its database.
"""

import io
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core.handlers.base import BaseHandler
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from products.models import ProductPage
from tests.commerce.payments.conftest import (  # noqa: F401 (fixtures)
    fake_stripe,
    localstripe_server,
)
from tests.factories import make_customer, make_placed_order

# Distinctive (no other test uses it), and a card the mock would send to authentication.
CARD_NUMBER = "4000002760003184"
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


def test_the_card_typed_into_stripes_field_never_reaches_the_shop(
    journey, fake_stripe, server_requests, caplog  # noqa: F811
):
    page = journey.page
    customer = make_customer("stripe-shopper", "Katherine Johnson")
    product = ProductPage.objects.live().filter(stock__gt=0).first()
    order = make_placed_order(customer, (product, 1), payment_method="card")

    with caplog.at_level(logging.DEBUG):
        journey.log_in("stripe-shopper", "shop-test-pass")
        journey.goto(f"/checkout/pay/{order.number}/")
        card_field = page.locator("#card-element input[placeholder=number]")
        expect(card_field).to_be_visible()  # the mock Stripe.js ran and mounted its field
        card_field.fill(CARD_NUMBER)
        page.locator("#card-element input[placeholder=exp_month]").fill("12")
        page.locator("#card-element input[placeholder=exp_year]").fill("34")
        page.locator("#card-element input[placeholder=cvc]").fill(SECURITY_CODE)
        page.get_by_role("button", name="Pay").click()
        page.get_by_role("button", name="Complete authentication").click()
        # Back from the return page: the shop read the intent from Stripe, still not paid.
        expect(page.get_by_text("Your payment is not complete yet")).to_be_visible()

    assert journey.policy_violations == []
    assert journey.broken_responses == []
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    # The recording saw the journey (the log-in form and the return from Stripe.js) ...
    assert any(request.startswith("POST /accounts/login/") for request in server_requests)
    assert any(f"/checkout/pay/{order.number}/return/" in request for request in server_requests)
    # ... and no request, log line or stored row holds the card number.
    assert [request for request in server_requests if CARD_NUMBER in request] == []
    assert CARD_NUMBER not in caplog.text
    database = database_text()
    assert order.number in database  # the dump holds the order ...
    assert CARD_NUMBER not in database  # ... and not the card
