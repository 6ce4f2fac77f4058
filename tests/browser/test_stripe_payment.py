"""The Stripe pay page in Chromium, with localstripe's mock of Stripe.js.

The mock's confirmCardPayment only runs the 3-D Secure step of an intent already confirmed
elsewhere, so this journey cannot end paid (tests/commerce/payments/test_stripe.py pays
through localstripe's API instead). What it shows: Stripe.js loads under the pay page's
Content-Security-Policy, its card field mounts, and the card number typed there is sent to
Stripe only, never to the shop, its logs or its database.
"""

import io
import logging

from django.core.management import call_command
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from products.models import ProductPage
from tests.commerce.payments.conftest import (  # noqa: F401 (fixtures)
    fake_stripe,
    localstripe_server,
)
from tests.factories import make_customer, make_placed_order

CARD_NUMBER = "4000002760003184"


def test_the_card_typed_into_stripes_field_never_reaches_the_shop(
    journey, fake_stripe, caplog  # noqa: F811
):
    page = journey.page
    customer = make_customer("stripe-shopper", "Katherine Johnson")
    product = ProductPage.objects.live().filter(stock__gt=0).first()
    order = make_placed_order(customer, (product, 1), payment_method="card")
    sent_to_shop = []
    page.on("request", lambda request: sent_to_shop.append(
        f"{request.url} {request.post_data or ''}"
    ) if request.url.startswith(journey.base_url) else None)

    with caplog.at_level(logging.DEBUG):
        journey.log_in("stripe-shopper", "shop-test-pass")
        journey.goto(f"/checkout/pay/{order.number}/")
        card_field = page.locator("#card-element input[placeholder=number]")
        expect(card_field).to_be_visible()  # the mock Stripe.js ran and mounted its field
        card_field.fill(CARD_NUMBER)
        page.locator("#card-element input[placeholder=exp_month]").fill("12")
        page.locator("#card-element input[placeholder=exp_year]").fill("34")
        page.locator("#card-element input[placeholder=cvc]").fill("123")
        page.get_by_role("button", name="Pay").click()
        page.get_by_role("button", name="Complete authentication").click()
        # Back from the return page: the shop read the intent from Stripe, still not paid.
        expect(page.get_by_text("Your payment is not complete yet")).to_be_visible()

    assert journey.policy_violations == []
    assert journey.broken_responses == []
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    assert any("/return/" in request for request in sent_to_shop)
    assert not [request for request in sent_to_shop if CARD_NUMBER in request]
    assert CARD_NUMBER not in caplog.text
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert CARD_NUMBER not in dump.getvalue()
