"""Stripe's webhook as localstripe really sends it: signed by it, to the running shop."""

import time

import pytest
import requests

from commerce.checkout.models import CheckoutDetail
from commerce.orders.models import Order, OrderStatus
from home.shared.models import EmailStatus, OutgoingEmail
from tests.commerce.payments.conftest import WEBHOOK_SECRET
from tests.factories import make_placed_order, make_product


@pytest.fixture
def webhook_to_shop(fake_stripe, live_server):
    """localstripe sends its payment events to the live shop's webhook while the test runs."""

    def register(url, events):
        response = requests.post(
            f"{fake_stripe.url}/_config/webhooks/shop",
            json={"url": url, "secret": WEBHOOK_SECRET, "events": events}, timeout=5,
        )
        assert response.status_code == 200, response.text

    register(f"{live_server.url}/payments/stripe/webhook/",
             ["payment_intent.succeeded", "payment_intent.payment_failed"])
    yield
    register(f"{live_server.url}/payments/stripe/webhook/", ["none.of.ours"])


@pytest.mark.django_db(transaction=True)
def test_a_payment_is_settled_by_the_webhook_alone(
    webhook_to_shop, fake_stripe, product_index, customer, client
):
    laptop = make_product(product_index, "Webhook Laptop", price="250.00", stock=3)
    order = make_placed_order(customer, (laptop, 1), payment_method="card")
    client.force_login(customer.user)
    client.get(f"/checkout/pay/{order.number}/")
    intent_id = CheckoutDetail.objects.get(order=order).payment_token

    fake_stripe.pay(intent_id, "4242424242424242")  # and the shopper closes the page

    deadline = time.monotonic() + 10
    while Order.objects.get(pk=order.pk).status != OrderStatus.PAID:
        assert time.monotonic() < deadline, "the webhook did not settle the order"
        time.sleep(0.1)
    # The webhook's request goes on to email the confirmation: wait for it, so the test's
    # database is not flushed under the live server while it still writes.
    while not OutgoingEmail.objects.filter(to=[order.billing_email],
                                           status=EmailStatus.SENT).exists():
        assert time.monotonic() < deadline, "the webhook sent no order confirmation"
        time.sleep(0.1)
    assert CheckoutDetail.objects.get(order=order).card_last4 == "4242"
