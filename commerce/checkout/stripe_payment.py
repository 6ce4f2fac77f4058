"""Paying an order awaiting payment through Stripe: the PaymentIntent, and settling the order.

The pay page asks `start_payment` for the order's PaymentIntent (created on the server for the
order's own total), and Stripe.js confirms it in the browser. Then the shopper's return
(`/checkout/pay/<number>/return/`) and Stripe's `payment_intent.succeeded` webhook both call
`settle_intent`, in either order: whichever comes first marks the order paid through the
locked step of commerce.checkout.payment_flow, and the other finds that very payment
recorded and changes nothing.

Before an order is marked paid, the intent must be for the order's amount, in the shop's
currency, with the order's id and number in its metadata; a mismatch is logged as an error
and shown to staff in the order's history, and the order stays unpaid.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from wagtail.log_actions import log

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.payment_flow import ReservationReleased, record_payment
from commerce.orders.models import PLACED_OR_LATER, Order, OrderStatus
from commerce.payments.gateways import configured_gateways
from commerce.payments.models import PaymentMethod
from commerce.payments.stripe_gateway import DECLINED, PAID, intent_outcome
from commerce.pricing import minor_units

logger = logging.getLogger(__name__)

LOG_ACTION_PAYMENT_MISMATCH = "commerce.payment_mismatch"
LOG_ACTION_PAYMENT_FAILED = "commerce.payment_failed"

# Settlement states beyond those of stripe_gateway.intent_outcome.
MISMATCH = "mismatch"
RELEASED = "released"

MISMATCH_MESSAGE = (
    "We could not confirm your payment, so your order is not marked paid yet. Our staff have "
    "been told and will be in touch: please do not pay again."
)
# At the return the card may have been charged already: never say it was not.
UNCONFIRMED_MESSAGE = (
    "The card payment service could not be reached to confirm your payment. If you paid, "
    "your order is marked paid as soon as it answers: please check this order before paying "
    "again."
)


@dataclass(frozen=True)
class Settlement:
    """What settling an order from a PaymentIntent came to: `state` is PAID, MISMATCH,
    RELEASED or one of stripe_gateway's (DECLINED, AUTHENTICATE, ...); `message` is for the
    shopper."""

    state: str
    order: Order
    message: str = ""


def payment_page_gateway(order):
    """The gateway `order` is paid with on its pay page (Stripe), or None."""
    detail = CheckoutDetail.objects.filter(order=order).first()
    if detail is None or detail.payment_method != PaymentMethod.CARD:
        return None
    gateway = configured_gateways().get(PaymentMethod.CARD)
    return gateway if getattr(gateway, "pays_on_payment_page", False) else None


def start_payment(order, gateway):
    """The PaymentIntent the pay page confirms for `order`: the one made for it already, or a
    new one for its total. Raises stripe_gateway.PaymentProviderUnavailable if Stripe cannot
    be asked (nothing is charged; the order keeps its reservation).

    A declined attempt is cancelled and the retry gets a new intent. Each intent is created
    with an idempotency key naming the order and the intent it replaces, so a page loaded
    twice at once still makes one intent per payment attempt.
    """
    detail = CheckoutDetail.objects.get(order=order)
    previous = detail.payment_token
    if previous:
        intent = gateway.retrieve_intent(previous)
        if intent["status"] != "canceled" and not mismatch(order, intent):
            if intent_outcome(intent).state != DECLINED:
                return intent
            gateway.cancel_intent(previous)
    intent = gateway.create_intent(
        order.total,
        order_id=order.pk,
        order_number=order.number,
        idempotency_key=f"order-{order.pk}-intent-after-{previous or 'none'}",
    )
    CheckoutDetail.objects.filter(pk=detail.pk, payment_token=previous).update(
        payment_token=intent["id"]
    )
    return intent


def mismatch(order, intent):
    """Why `intent` cannot pay `order` (a sentence for staff), or "" when it matches."""
    metadata = intent.get("metadata") or {}
    problems = []
    if intent["amount"] != minor_units(order.total):
        problems.append(f"amount {intent['amount']} instead of {minor_units(order.total)}")
    if (intent["currency"] or "").upper() != settings.SHOP_CURRENCY:
        problems.append(f"currency {intent['currency']} instead of {settings.SHOP_CURRENCY}")
    if metadata.get("order_id") != str(order.pk) or metadata.get("order_number") != order.number:
        problems.append(
            f"order {metadata.get('order_number') or metadata.get('order_id') or '(none)'} "
            f"instead of {order.number}"
        )
    return "; ".join(problems)


def settle_intent(order, intent, gateway):
    """Settle `order` from `intent` as Stripe reported it (retrieved, or a webhook's copy):
    mark it paid if the intent succeeded and matches it. Returns a Settlement. Safe to call
    any number of times, from the return page and the webhook in either order."""
    problem = mismatch(order, intent)
    if problem:
        logger.error("Stripe payment %s does not match %s: %s", intent["id"], order, problem)
        log(order, LOG_ACTION_PAYMENT_MISMATCH,
            data={"intent": intent["id"], "problem": problem})
        return Settlement(MISMATCH, order, MISMATCH_MESSAGE)
    outcome = intent_outcome(intent)
    if outcome.state != PAID:
        return Settlement(outcome.state, order, outcome.message)

    payment = gateway.payment_result(intent)
    paid = record_payment(order, payment)
    if paid is not None:
        return Settlement(PAID, paid)
    # The reservation ended before the payment could be recorded: give the money back.
    logger.warning("Refunding Stripe payment %s: %s no longer awaited payment", intent["id"],
                   order)
    gateway.void(payment)
    order = Order.objects.get(pk=order.pk)
    if order.status in PLACED_OR_LATER:
        return Settlement(PAID, order)
    return Settlement(RELEASED, order, ReservationReleased(order).message)


def record_failed_payment(order, intent):
    """Note a declined attempt in the order's history; the order keeps awaiting payment, so
    the shopper can try another card."""
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return
    error = intent.get("last_payment_error") or {}
    log(order, LOG_ACTION_PAYMENT_FAILED, data={
        "intent": intent["id"],
        "code": error.get("code") or "",
        "message": error.get("message") or "",
    })
