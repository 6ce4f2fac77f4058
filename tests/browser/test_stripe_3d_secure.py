"""Journey: a card that needs 3-D Secure, through localstripe's mock of Stripe.js (completed
where it falls short: tests/browser/stripe_js.py). The mock's own box stands in for the bank's
step: the customer fails it first (nothing is charged, the order still waits), then pays with
the same card and passes it; the order ends paid."""

import re

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from home.demo_content import DEMO_CUSTOMER_PASSWORD
from products.models import ProductPage
from tests.commerce.payments.conftest import (  # noqa: F401 (fixtures)
    fake_stripe,
    localstripe_server,
)

from .stripe_js import complete_the_stripe_js_mock, pay_page_loaded, place_card_order, type_card

pytestmark = pytest.mark.django_db(transaction=True)

# localstripe asks for authentication on every payment with it, as "always authenticate" does.
THREE_D_SECURE_CARD = "4000002760003184"


def test_failed_authentication_charges_nothing_and_passing_it_pays_the_order(
    journey, fake_stripe, settings  # noqa: F811
):
    page = journey.page
    complete_the_stripe_js_mock(page, fake_stripe, settings.STRIPE_JS_URL)
    product = ProductPage.objects.live().filter(stock__gt=0).order_by("pk").first()

    journey.log_in("ada", DEMO_CUSTOMER_PASSWORD)
    place_card_order(journey, product)
    order = Order.objects.get(number=re.search(r"/checkout/pay/([\w-]+)/", page.url)[1])
    pay_page_loaded(journey, "pay page")

    type_card(page, THREE_D_SECURE_CARD)
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_text("3D Secure")).to_be_visible()  # the bank's step
    journey.screenshot("authentication")
    page.get_by_role("button", name="Fail authentication").click()

    expect(page.get_by_role("status")).to_contain_text("Your bank could not confirm this payment")
    pay_page_loaded(journey, "authentication failed")
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.checkout_detail.amount_captured == 0
    intents = [intent.to_dict() for intent in fake_stripe.client.v1.payment_intents.list()]
    ours = [intent for intent in intents if intent["metadata"] == {
        "order_id": str(order.pk), "order_number": order.number}]
    assert ours and [intent["latest_charge"] for intent in ours] == [None] * len(ours)

    type_card(page, THREE_D_SECURE_CARD)
    page.get_by_role("button", name="Pay").click()
    page.get_by_role("button", name="Complete authentication").click()

    journey.wait_for_path(f"/checkout/thank-you/{order.number}/")
    expect(page.locator(".order-facts")).to_contain_text("Paid")
    journey.checkpoint("paid")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.checkout_detail.amount_captured == order.total
