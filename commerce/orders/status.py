"""Order status changes made by staff: which moves are allowed, and applying one.

An order goes placed → paid → shipped → completed. It may be cancelled until it ships;
cancelling puts its units back in stock and gives a card payment back. Checkout alone turns a
cart into a placed order, so "cart" appears nowhere in this table. An order awaiting payment
(its stock reserved at checkout) leaves that status only through the payment flow
(PAYMENT_TRANSITIONS: commerce.checkout.payment_flow pays it, commerce.checkout.reservations
releases it), never through a staff member's change. Every change is recorded in the order's
Wagtail history.
"""

import logging

from django.db import transaction
from wagtail.log_actions import log

from commerce.orders.emails import send_status_update
from commerce.orders.models import Order, OrderStatus
from commerce.orders.stock import release_stock
from commerce.payments.gateways import RefundFailed
from commerce.payments.refunds import (
    issue_refund,
    pending_refund,
    record_cash_collected,
    settle_refund,
)
from commerce.reviews.rules import hide_reviews_no_longer_backed
from products.ledger import StockReason

logger = logging.getLogger(__name__)

TRANSITIONS = {
    OrderStatus.AWAITING_PAYMENT: (),
    OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.CANCELLED),
    OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
    OrderStatus.COMPLETED: (),
    OrderStatus.CANCELLED: (),
}

# The moves of an order awaiting payment, made only by commerce.checkout.payment_flow (paid;
# placed when a provider answers with a payment still pending) and
# commerce.checkout.reservations (cancelled: expired, or the shopper went back to the cart).
PAYMENT_TRANSITIONS = {
    OrderStatus.AWAITING_PAYMENT: (OrderStatus.PAID, OrderStatus.PLACED, OrderStatus.CANCELLED),
}

# What a staff member sees on the button that makes each move.
ACTION_LABELS = {
    OrderStatus.PAID: "Mark paid",
    OrderStatus.SHIPPED: "Mark shipped",
    OrderStatus.COMPLETED: "Mark completed",
    OrderStatus.CANCELLED: "Cancel order",
}

CHANGE_STATUS_PERMISSION = "commerce.change_order_status"
LOG_ACTION = "commerce.order_status"


class StatusChangeRefused(Exception):
    """A status change the transition table does not allow; str() is a sentence for staff."""


def allowed_transitions(order):
    """The statuses `order` may move to next, in the order staff should see them."""
    return TRANSITIONS.get(order.status, ())


def change_status(order, new_status, *, user=None):
    """Move `order` to `new_status`, or raise StatusChangeRefused saying why not.

    The order row is locked while the change is checked and applied, so two staff members
    clicking at once cannot both cancel the same order. Cancelling first gives a card payment
    back through its gateway (give_back_payment), then, in one transaction, puts the units
    the order took at checkout back in stock (commerce.orders.stock.release_stock) and hides the
    customer's reviews the order no longer backs (commerce.reviews.rules). Marking a
    cash-on-delivery order paid records the cash as collected. The change is logged with
    `user` in the order's history, and the customer is emailed when the order ships or is
    cancelled.
    `order` is updated in place and returned.
    """
    refund = refund_reference = None
    if new_status == OrderStatus.CANCELLED:
        refund, refund_reference = give_back_payment(order, user=user)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        old_status = OrderStatus(locked.status)
        new_status = check_transition(locked, new_status)
        if new_status == OrderStatus.CANCELLED:
            if refund is not None:
                settle_refund(refund, refund_reference, user=user)
            release_stock(locked, reason=StockReason.CANCELLATION, user=user)
        if new_status == OrderStatus.PAID:
            record_cash_collected(locked)
        locked.status = new_status
        locked.save(update_fields=["status", "updated_at"])
        if new_status == OrderStatus.CANCELLED:
            hide_reviews_no_longer_backed(locked, user=user)
        log(
            locked,
            LOG_ACTION,
            user=user,
            data={"from": old_status.value, "to": new_status.value},
        )
        transaction.on_commit(lambda: send_status_update(locked))

    order.status = locked.status
    order.updated_at = locked.updated_at
    return order


def give_back_payment(order, *, user=None):
    """Refund the card payment of `order`, about to be cancelled, before the cancellation
    itself is saved. Returns (refund, provider reference), or (None, None) if nothing was
    held; StatusChangeRefused if the order may not be cancelled or the provider refuses, and
    then nothing else changes, so the cancellation can be tried again.

    The refund is committed as pending before the gateway is called and the gateway gets its
    idempotency key, so a cancellation that fails after the money went back, and is tried
    again, asks for the same refund rather than a second one.
    """
    with transaction.atomic():
        # Locked so that a shipped order is never refunded, and so that two cancellations
        # at once record one refund.
        locked = Order.objects.select_for_update().get(pk=order.pk)
        check_transition(locked, OrderStatus.CANCELLED)
        try:
            refund = pending_refund(locked, user=user)
        except RefundFailed as failure:
            raise _refund_refused(order, failure) from None
    if refund is None:
        return None, None
    try:
        return refund, issue_refund(refund, user=user)
    except RefundFailed as failure:
        raise _refund_refused(order, failure) from None
    except Exception:
        # The provider may or may not have paid: the refund stays pending, and the next
        # attempt asks again with the same idempotency key.
        logger.exception("Refund of %s got no answer from the payment provider", order)
        raise StatusChangeRefused(
            f"{order} was not cancelled: the payment provider did not answer. Try again: "
            "the customer will not be refunded twice."
        ) from None


def _refund_refused(order, failure):
    return StatusChangeRefused(
        f"{order} was not cancelled: the card payment could not be given back. {failure}"
    )


def check_transition(order, new_status):
    """Return `new_status` as an OrderStatus if `order` may move to it now.

    Raises StatusChangeRefused, with a sentence for staff, if it is not a status or the
    transition table does not allow the move.
    """
    try:
        new_status = OrderStatus(new_status)
    except ValueError:
        raise StatusChangeRefused(f"“{new_status}” is not an order status.") from None
    old_status = OrderStatus(order.status)
    if new_status not in TRANSITIONS.get(old_status, ()):
        raise StatusChangeRefused(refusal_message(order, old_status, new_status))
    return new_status


def check_payment_transition(old_status, new_status):
    """Refuse (StatusChangeRefused) a move of the payment flow PAYMENT_TRANSITIONS lacks."""
    if new_status not in PAYMENT_TRANSITIONS.get(old_status, ()):
        raise StatusChangeRefused(
            f"An order {old_status.label.lower()} cannot become {new_status.label.lower()} "
            "through its payment."
        )


def refusal_message(order, old_status, new_status):
    if old_status == new_status:
        return f"{order} is already {old_status.label.lower()}."
    if old_status == OrderStatus.CART:
        return f"{order} has not been placed yet; only checkout can place it."
    if old_status == OrderStatus.AWAITING_PAYMENT:
        return (
            f"{order} awaits the customer's payment: it becomes paid when they pay, or is "
            "cancelled and its stock released when they go back to the cart or the "
            "reservation expires."
        )
    if new_status == OrderStatus.CANCELLED and old_status in (
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
    ):
        return f"{order} has already shipped, so it can no longer be cancelled."
    next_statuses = TRANSITIONS.get(old_status, ())
    if not next_statuses:
        return f"{order} is {old_status.label.lower()}; its status can no longer change."
    choices = " or ".join(status.label.lower() for status in next_statuses)
    return (
        f"{order} is {old_status.label.lower()} and cannot be marked "
        f"{new_status.label.lower()}; it can only be marked {choices}."
    )

