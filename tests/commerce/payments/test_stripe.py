"""Paying by card through Stripe (localstripe standing in for it, see conftest.py).

The shop creates the PaymentIntent for the order's own total; the card goes from the browser
to Stripe only; the shopper's return and Stripe's webhook settle the order once, in either
order; anything that does not match the order is refused and shown to staff.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.utils import timezone
from wagtail.models import ModelLogEntry

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.reservations import release_expired_reservations
from commerce.checkout.stripe_payment import LOG_ACTION_PAYMENT_FAILED, LOG_ACTION_PAYMENT_MISMATCH
from commerce.orders.models import Order, OrderStatus
from commerce.orders.refund_order import refund_order
from commerce.orders.status import LOG_ACTION
from commerce.payments.gateways import RefundFailed, configured_gateways
from commerce.payments.models import PaymentStatus, ProviderEvent, Refund, RefundStatus
from commerce.payments.refunds import RefundRefused
from products.models import ProductPage
from tests.factories import make_placed_order, make_product, make_staff_user

GOOD_CARD = "4242424242424242"
# localstripe declines charging this one (4000000000000002 it declines only when attached).
DECLINED_CARD = "4000000000000341"
THREE_D_SECURE_CARD = "4000002760003184"

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Stripe Laptop", price="499.99", stock=5)


@pytest.fixture
def order(fake_stripe, customer, laptop):
    """An order for two laptops, placed by card: reserved, awaiting payment on its pay page."""
    placed = make_placed_order(customer, (laptop, 2), payment_method="card")
    assert placed.status == OrderStatus.AWAITING_PAYMENT
    return placed


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer.user)
    return client


def open_pay_page(shopper, order):
    """The shopper opens the pay page; returns (response, the PaymentIntent id it made)."""
    response = shopper.get(f"/checkout/pay/{order.number}/")
    assert response.status_code == 200
    return response, CheckoutDetail.objects.get(order=order).payment_token


def come_back(shopper, order):
    return shopper.get(f"/checkout/pay/{order.number}/return/", follow=True)


def status_of(order):
    return Order.objects.get(pk=order.pk).status


def stock_of(product):
    return ProductPage.objects.get(pk=product.pk).stock


def paid_transitions(order):
    return [
        entry for entry in ModelLogEntry.objects.filter(object_id=str(order.pk), action=LOG_ACTION)
        if entry.data.get("to") == OrderStatus.PAID
    ]


def test_the_pay_page_loads_stripe_and_posts_no_card_field(shopper, order, fake_stripe):
    response, intent_id = open_pay_page(shopper, order)
    html = response.content.decode()
    assert 'id="card-element"' in html
    assert 'name="card_number"' not in html and 'name="card_cvc"' not in html
    assert f'src="{fake_stripe.url}/js.stripe.com/v3/"' in html
    assert "/static/js/stripe-payment.js" in html
    policy = response["Content-Security-Policy"]
    assert f"script-src 'self' {fake_stripe.url}" in policy
    assert f"frame-src 'self' {fake_stripe.url}" in policy
    assert f"connect-src 'self' {fake_stripe.url}" in policy
    # Only this page lets Stripe in.
    assert fake_stripe.url not in shopper.get("/cart/")["Content-Security-Policy"]

    intent = fake_stripe.client.v1.payment_intents.retrieve(intent_id)
    assert intent.client_secret in html
    assert intent.amount == 99998 and intent.currency == "usd"
    assert intent.metadata.to_dict() == {"order_id": str(order.pk), "order_number": order.number}


def test_opening_the_pay_page_again_reuses_the_same_payment_intent(shopper, order):
    _response, first = open_pay_page(shopper, order)
    _response, second = open_pay_page(shopper, order)
    assert first == second


def test_a_good_card_pays_the_order(shopper, order, fake_stripe, laptop):
    _response, intent_id = open_pay_page(shopper, order)
    assert fake_stripe.pay(intent_id, GOOD_CARD).status == "succeeded"

    response = come_back(shopper, order)

    assert response.redirect_chain[-1][0] == f"/checkout/thank-you/{order.number}/"
    assert status_of(order) == OrderStatus.PAID
    detail = CheckoutDetail.objects.get(order=order)
    assert detail.payment_status == PaymentStatus.AUTHORISED
    assert detail.amount_captured == Decimal("999.98")
    assert detail.card_last4 == "4242"
    assert stock_of(laptop) == 3


def test_a_declined_card_keeps_the_order_awaiting_and_another_card_pays_it(
    shopper, order, fake_stripe, laptop
):
    _response, intent_id = open_pay_page(shopper, order)
    assert fake_stripe.pay(intent_id, DECLINED_CARD).status == "requires_payment_method"

    response = come_back(shopper, order)

    assert response.redirect_chain[-1][0] == f"/checkout/pay/{order.number}/"
    assert "Your card was declined" in response.content.decode()
    assert "Nothing was charged" in response.content.decode()
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT
    assert stock_of(laptop) == 3  # still reserved for the retry

    # The retry is a new payment attempt: a new intent, the declined one cancelled.
    _response, retry_intent = open_pay_page(shopper, order)
    assert retry_intent != intent_id
    assert fake_stripe.client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    fake_stripe.pay(retry_intent, GOOD_CARD)
    come_back(shopper, order)
    assert status_of(order) == OrderStatus.PAID


def test_a_card_that_needs_3d_secure_is_paid_once_the_shopper_authenticates(
    shopper, order, fake_stripe
):
    _response, intent_id = open_pay_page(shopper, order)
    assert fake_stripe.pay(intent_id, THREE_D_SECURE_CARD).status == "requires_action"
    assert "confirm this payment" in come_back(shopper, order).content.decode()
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT

    assert fake_stripe.authenticate(intent_id, success=True).status == "succeeded"
    come_back(shopper, order)

    assert status_of(order) == OrderStatus.PAID


def test_failing_3d_secure_charges_nothing_and_lets_the_shopper_retry(
    shopper, order, fake_stripe
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, THREE_D_SECURE_CARD)
    fake_stripe.authenticate(intent_id, success=False)

    response = come_back(shopper, order)

    assert "Your bank could not confirm this payment" in response.content.decode()
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT
    assert CheckoutDetail.objects.get(order=order).amount_captured == 0


def test_the_webhook_before_the_return_settles_the_order_and_the_return_changes_nothing(
    shopper, order, fake_stripe, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)

    assert deliver_webhook(succeeded).status_code == 200
    assert status_of(order) == OrderStatus.PAID

    response = come_back(shopper, order)
    assert response.redirect_chain[-1][0] == f"/checkout/thank-you/{order.number}/"
    assert len(paid_transitions(order)) == 1
    assert CheckoutDetail.objects.get(order=order).amount_captured == Decimal("999.98")


def test_the_webhook_before_the_return_records_the_cards_brand_and_last_four_digits(
    shopper, order, fake_stripe, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)

    deliver_webhook(succeeded)

    detail = CheckoutDetail.objects.get(order=order)
    assert (detail.card_brand, detail.card_last4) == ("Visa", GOOD_CARD[-4:])
    assert f"Visa ending {GOOD_CARD[-4:]}" in shopper.get(order.get_absolute_url()).content.decode()


def test_the_return_before_the_webhook_settles_the_order_and_the_webhook_changes_nothing(
    shopper, order, fake_stripe, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    come_back(shopper, order)
    assert status_of(order) == OrderStatus.PAID

    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)
    assert deliver_webhook(succeeded).status_code == 200

    assert len(paid_transitions(order)) == 1
    assert CheckoutDetail.objects.get(order=order).card_last4 == "4242"


def test_the_same_webhook_delivered_twice_is_handled_once(
    shopper, order, fake_stripe, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, DECLINED_CARD)
    [failed] = fake_stripe.events("payment_intent.payment_failed", intent_id)

    assert deliver_webhook(failed).status_code == 200
    assert deliver_webhook(failed).status_code == 200

    notes = ModelLogEntry.objects.filter(object_id=str(order.pk), action=LOG_ACTION_PAYMENT_FAILED)
    assert notes.count() == 1
    assert ProviderEvent.objects.filter(event_id=failed["id"]).count() == 1
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("headers", [
    {"HTTP_STRIPE_SIGNATURE": "t=1,v1=0123456789abcdef"},
    {},
], ids=["bad_signature", "no_signature"])
def test_an_unsigned_webhook_is_refused_and_changes_nothing(
    shopper, order, fake_stripe, deliver_webhook, headers
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)

    assert deliver_webhook(succeeded, headers=headers).status_code == 400
    assert deliver_webhook(succeeded, secret="whsec_someone_else").status_code == 400

    assert status_of(order) == OrderStatus.AWAITING_PAYMENT
    assert not ProviderEvent.objects.exists()


def test_a_payment_for_another_amount_is_not_accepted_and_staff_see_why(
    shopper, order, fake_stripe, deliver_webhook, caplog
):
    _response, intent_id = open_pay_page(shopper, order)
    Order.objects.filter(pk=order.pk).update(total=Decimal("1999.98"))
    fake_stripe.pay(intent_id, GOOD_CARD)
    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)

    with caplog.at_level(logging.ERROR):
        deliver_webhook(succeeded)
        response = come_back(shopper, order)

    assert status_of(order) == OrderStatus.AWAITING_PAYMENT
    assert "We could not confirm your payment" in response.content.decode()
    assert any("does not match" in record.getMessage() for record in caplog.records)
    entry = ModelLogEntry.objects.filter(
        object_id=str(order.pk), action=LOG_ACTION_PAYMENT_MISMATCH
    ).first()
    assert entry is not None and "amount 99998 instead of 199998" in entry.data["problem"]
    assert "does not match the order" in entry.message


def test_stripe_unreachable_charges_nothing_and_keeps_the_order_retryable(
    shopper, order, fake_stripe, laptop
):
    fake_stripe.stop()

    response = shopper.get(f"/checkout/pay/{order.number}/", follow=True)

    assert "The card payment service could not be reached, so nothing was charged" in (
        response.content.decode()
    )
    assert CheckoutDetail.objects.get(order=order).payment_token == ""
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT
    assert stock_of(laptop) == 3
    # Unpaid, its reservation still runs out and gives the stock back.
    Order.objects.filter(pk=order.pk).update(payment_due_by=timezone.now() - timedelta(seconds=1))
    assert release_expired_reservations() == 1
    assert stock_of(laptop) == 5


def test_stripe_unreachable_at_the_return_never_tells_a_shopper_who_paid_nothing_was_charged(
    shopper, order, fake_stripe
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)  # Stripe.js charged the card ...
    fake_stripe.stop()  # ... and then the shop cannot reach Stripe to read it back

    response = come_back(shopper, order)

    page = response.content.decode()
    assert "nothing was charged" not in page
    assert "please check this order before paying again" in page
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert status_of(order) == OrderStatus.AWAITING_PAYMENT  # the webhook settles it later


def test_a_partial_refund_then_the_rest_then_no_more_go_back_through_stripe(
    shopper, order, fake_stripe
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    come_back(shopper, order)
    clerk = make_staff_user("stripe-clerk", superuser=False)

    refund_order(order, Decimal("100.00"), "Scratched lid", user=clerk)
    refund_order(order, Decimal("899.98"), "Returned", user=clerk)
    with pytest.raises(RefundRefused, match="Nothing is left to refund"):
        refund_order(order, Decimal("0.01"), "One more", user=clerk)

    refunds = fake_stripe.client.v1.refunds.list(params={"payment_intent": intent_id}).data
    assert sorted(refund.amount for refund in refunds) == [10000, 89998]
    detail = CheckoutDetail.objects.get(order=order)
    assert (detail.amount_refunded, detail.payment_status) == (
        Decimal("999.98"), PaymentStatus.REFUNDED
    )
    assert [refund.status for refund in Refund.objects.filter(order=order)] == [
        RefundStatus.SUCCEEDED
    ] * 2


def test_a_refund_stripe_refuses_is_reported_to_staff(fake_stripe):
    # (Refunding beyond what remains is refused by the shop first: commerce.payments.refunds.)
    with pytest.raises(RefundFailed, match="Stripe refused the refund"):
        configured_gateways()["card"].refund(
            "pi_unknown", Decimal("5.00"), idempotency_key="refund-unknown"
        )


def test_refunds_and_intents_carry_their_idempotency_key_to_stripe(
    shopper, order, fake_stripe, monkeypatch
):
    # localstripe ignores Idempotency-Key, so this checks what the shop sends to Stripe.
    sent = []
    original = stripe.StripeClient.__init__

    def recording_client(self, *args, **kwargs):
        original(self, *args, **kwargs)
        request = self._requestor.request

        def record(method, url, params=None, options=None, **rest):
            sent.append((url, (options or {}).get("idempotency_key")))
            return request(method, url, params, options, **rest)

        self._requestor.request = record

    monkeypatch.setattr(stripe.StripeClient, "__init__", recording_client)
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    come_back(shopper, order)
    configured_gateways()["card"].refund(intent_id, Decimal("1.00"), idempotency_key="k-1")

    assert ("/v1/payment_intents", f"order-{order.pk}-intent-after-none") in sent
    assert ("/v1/refunds", "k-1") in sent


def test_a_refund_made_in_stripes_dashboard_is_recorded_once(
    shopper, order, fake_stripe, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)
    come_back(shopper, order)
    fake_stripe.client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 2500})
    charge = fake_stripe.client.v1.payment_intents.retrieve(intent_id).latest_charge
    charge = fake_stripe.client.v1.charges.retrieve(
        charge if isinstance(charge, str) else charge.id
    ).to_dict()

    for event_id in ["evt_dashboard_refund", "evt_dashboard_refund_again"]:
        event = {"id": event_id, "type": "charge.refunded", "object": "event",
                 "data": {"object": charge}}
        assert deliver_webhook(event).status_code == 200

    detail = CheckoutDetail.objects.get(order=order)
    assert detail.amount_refunded == Decimal("25.00")
    assert detail.refundable_amount == Decimal("974.98")
    assert Refund.objects.filter(order=order).count() == 1


def test_reopening_the_pay_page_after_paying_settles_instead_of_asking_again(
    shopper, order, fake_stripe
):
    _response, intent_id = open_pay_page(shopper, order)
    fake_stripe.pay(intent_id, GOOD_CARD)

    response = shopper.get(f"/checkout/pay/{order.number}/", follow=True)

    assert response.redirect_chain[-1][0] == f"/checkout/thank-you/{order.number}/"
    assert status_of(order) == OrderStatus.PAID


def test_a_payment_that_succeeds_after_the_reservation_expired_is_refunded(
    shopper, order, fake_stripe, laptop, deliver_webhook
):
    _response, intent_id = open_pay_page(shopper, order)
    Order.objects.filter(pk=order.pk).update(payment_due_by=timezone.now() - timedelta(seconds=1))
    release_expired_reservations()
    fake_stripe.pay(intent_id, GOOD_CARD)  # the shopper had the page open
    [succeeded] = fake_stripe.events("payment_intent.succeeded", intent_id)

    deliver_webhook(succeeded)
    response = come_back(shopper, order)

    assert status_of(order) == OrderStatus.CANCELLED
    assert stock_of(laptop) == 5
    refunds = fake_stripe.client.v1.refunds.list(params={"payment_intent": intent_id}).data
    assert [refund.amount for refund in refunds] == [99998]  # once, though told twice
    assert "Nothing was charged" in response.content.decode()
