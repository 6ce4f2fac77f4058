"""Paying an order that awaits payment, and giving back the stock it holds if it is not paid.

Checkout is two steps for a method whose gateway calls a payment provider (card):
commerce.checkout.reserve_order takes the stock in one short transaction and leaves the order
AWAITING_PAYMENT until `payment_due_by`; then `pay_order` asks the provider with no
transaction open and no row locked, and records the answer in a second short transaction
that locks only the order row. So a slow provider never blocks other shoppers.

An order awaiting payment ends in exactly one way, each decided under the order's row lock:
- paid (`pay_order`): marked PAID, the payment recorded, the confirmation emailed;
- given up by the shopper (`back_to_cart`): cancelled, its stock released, its lines back
  in their cart;
- expired (`release_expired_reservations`, run by `manage.py release_expired_reservations`
  on a schedule, and by the task worker when it can run tasks later): cancelled and its
  stock released. A payment that arrives after that is voided, and the shopper told.

A declined payment changes nothing: the order keeps awaiting payment, and the shopper may
try another card until the reservation expires.
"""

import logging

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.place_order import CheckoutError
from commerce.checkout.reservations import (
    EXPIRED,
    awaits_payment,
    move_awaiting_order,
    release_held_stock,
    release_reservation,
)
from commerce.orders.emails import send_order_confirmation
from commerce.orders.models import PLACED_OR_LATER, Order, OrderStatus
from commerce.payments.gateways import PaymentDeclined, configured_gateways
from commerce.payments.models import PaymentStatus

logger = logging.getLogger(__name__)

class PaymentNotTaken(CheckoutError):
    """The provider declined the payment. The order still awaits payment, its stock
    reserved: the shopper can try again (`order` is the order to pay)."""

    def __init__(self, message, field=None, *, order):
        super().__init__(message, field=field)
        self.order = order


class ReservationReleased(CheckoutError):
    """The order no longer awaits payment (its reservation expired, or the shopper went back
    to the cart) and nothing was charged: any authorisation was voided."""

    def __init__(self, order):
        super().__init__(
            f"Your reservation for order {order.number} has expired or was cancelled, so its "
            "items went back on sale. Nothing was charged: place the order again from your "
            "cart."
        )
        self.order = order


@sensitive_variables("card")
def pay_order(order, card=None):
    """Pay `order` (awaiting payment) through its gateway; return it, paid. Call it with no
    transaction open: the provider is asked while nothing is locked.

    A declined payment raises PaymentNotTaken and leaves the order awaiting payment. If the
    reservation was released before the payment could be recorded (it expired, or the
    shopper went back to the cart meanwhile), the authorisation is voided and
    ReservationReleased raised. An order already paid (the same form submitted twice) is
    returned as it is, any second authorisation voided.
    """
    order = Order.objects.get(pk=order.pk)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        if order.status in PLACED_OR_LATER:
            return order
        raise ReservationReleased(order)
    if not awaits_payment(order):
        release_reservation(order)
        raise ReservationReleased(order)

    detail = CheckoutDetail.objects.get(order=order)
    gateway = configured_gateways().get(detail.payment_method)
    if gateway is None:
        raise PaymentNotTaken(
            "This payment method is no longer offered. Go back to your cart and choose "
            "another.", order=order,
        )
    try:
        payment = gateway.authorise(order.total, reference=f"order {order.pk}", card=card)
    except PaymentDeclined as error:
        raise PaymentNotTaken(error.message, field=error.field, order=order) from None

    try:
        paid = _record_payment(order, payment)
    except BaseException:
        logger.error("Voiding payment %s: it could not be recorded on %s", payment.token, order)
        gateway.void(payment)
        raise
    if paid is None:
        logger.warning("Voiding payment %s: %s no longer awaited payment", payment.token, order)
        gateway.void(payment)
        order.refresh_from_db()
        if order.status in PLACED_OR_LATER:
            return order
        raise ReservationReleased(order)
    return paid


def record_payment(order, payment):
    """Record a payment the provider confirmed outside pay_order (the Stripe return page or
    webhook) and mark `order` paid: the same locked step as pay_order. Returns the order, or
    None if it no longer held its reservation (the caller gives the payment back). Recording
    the same payment twice changes nothing the second time."""
    return _record_payment(order, payment)


def _record_payment(order, payment):
    """In one short transaction that locks only the order row: record `payment` and mark the
    order paid if it still holds its reservation. Returns the order, or None if it did not
    (an expired one is released now, so that it ends one way only)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status in PLACED_OR_LATER and CheckoutDetail.objects.filter(
            order=locked, payment_token=payment.token
        ).exists():
            return locked  # this very payment is recorded already: the return and webhook
        if not awaits_payment(locked):
            if locked.status == OrderStatus.AWAITING_PAYMENT:
                release_held_stock(locked, EXPIRED)
            return None
        CheckoutDetail.objects.filter(order=locked).update(
            payment_status=payment.status,
            payment_token=payment.token,
            card_brand=payment.card_brand,
            card_last4=payment.card_last4,
            amount_authorised=payment.amount_authorised,
            amount_captured=payment.amount_captured,
        )
        new_status = (
            OrderStatus.PAID
            if payment.status == PaymentStatus.AUTHORISED
            else OrderStatus.PLACED
        )
        move_awaiting_order(locked, new_status)
        transaction.on_commit(lambda: send_order_confirmation(locked))
    return locked
