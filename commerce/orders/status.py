"""Order status changes made by staff: which moves are allowed, and applying one.

The moves depend on how the order is paid (TRANSITIONS, one table per payment method):

- a card order goes placed → paid → shipped → completed, and ships only once paid;
- a cash-on-delivery order ships unpaid (placed → shipped) and is completed when the courier
  delivers it and collects the cash ("Mark delivered and paid" records the cash as collected).

Either may be cancelled until it ships; cancelling puts its units back in stock and gives a
card payment back. "Mark shipped" may carry the carrier and tracking number, stored on the
order. Checkout alone turns a cart into a placed order, so "cart" appears nowhere in these
tables. An order awaiting payment (its stock reserved at checkout) leaves that status only
through the payment flow (PAYMENT_TRANSITIONS: commerce.checkout.payment_flow pays it,
commerce.checkout.reservations releases it), never through a staff member's change. Every
change is recorded in the order's Wagtail history.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from commerce.orders.emails import send_status_update
from commerce.orders.models import Order, OrderStatus
from commerce.orders.stock import release_stock
from commerce.payments.gateways import RefundFailed
from commerce.payments.models import PaymentMethod
from commerce.payments.refunds import (
    issue_refund,
    pending_refund,
    record_cash_collected,
    settle_refund,
)
from commerce.reviews.rules import hide_reviews_no_longer_backed
from products.ledger import StockReason

logger = logging.getLogger(__name__)

# The moves staff may make, per payment method: status → the statuses it may become.
# A status missing from a method's table can no longer change.
TRANSITIONS = {
    PaymentMethod.CARD: {
        OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.CANCELLED),
        OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
    },
    PaymentMethod.CASH_ON_DELIVERY: {
        OrderStatus.PLACED: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        # Cash-on-delivery orders marked paid before they could ship unpaid.
        OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        # Delivered: the courier handed over the parcel and collected the cash.
        OrderStatus.SHIPPED: (OrderStatus.COMPLETED,),
    },
}
# An order with no payment details (made outside checkout) moves as a card order does.
DEFAULT_PAYMENT_METHOD = PaymentMethod.CARD

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
# Where a payment method's button says more than the status.
METHOD_ACTION_LABELS = {
    (PaymentMethod.CASH_ON_DELIVERY, OrderStatus.COMPLETED): "Mark delivered and paid",
}

CHANGE_STATUS_PERMISSION = "commerce.change_order_status"
LOG_ACTION = "commerce.order_status"


class StatusChangeRefused(Exception):
    """A status change the transition table does not allow; str() is a sentence for staff."""


def payment_method_of(order):
    """How `order` is paid (its checkout's payment method), DEFAULT_PAYMENT_METHOD if unknown."""
    detail = getattr(order, "checkout_detail", None)
    return PaymentMethod(detail.payment_method) if detail else DEFAULT_PAYMENT_METHOD


def allowed_transitions(order):
    """The statuses `order` may move to next, in the order staff should see them."""
    return TRANSITIONS[payment_method_of(order)].get(order.status, ())


def action_label(order, new_status):
    """The button label of the move of `order` to `new_status`."""
    new_status = OrderStatus(new_status)
    return METHOD_ACTION_LABELS.get(
        (payment_method_of(order), new_status), ACTION_LABELS[new_status]
    )


def ready_to_ship_q(via=""):
    """Orders staff may mark shipped now, by the table (paid card orders, placed or paid
    cash-on-delivery orders); `via` reaches them from another model ("order__")."""
    ready = Q(pk__in=[])
    for method, moves in TRANSITIONS.items():
        statuses = [status for status, nexts in moves.items() if OrderStatus.SHIPPED in nexts]
        method_q = Q(**{f"{via}checkout_detail__payment_method": method})
        if method == DEFAULT_PAYMENT_METHOD:
            method_q |= Q(**{f"{via}checkout_detail__isnull": True})
        ready |= Q(**{f"{via}status__in": statuses}) & method_q
    return ready


def change_status(order, new_status, *, user=None, carrier="", tracking_number=""):
    """Move `order` to `new_status`, or raise StatusChangeRefused saying why not.

    The order row is locked while the change is checked and applied, so two staff members
    clicking at once cannot both cancel the same order. Cancelling first gives a card payment
    back through its gateway (give_back_payment), then, in one transaction, puts the units
    the order took at checkout back in stock (commerce.orders.stock.release_stock) and hides the
    customer's reviews the order no longer backs (commerce.reviews.rules). Completing a
    cash-on-delivery order (delivered and paid) records the cash as collected.
    Shipping stores when, and the `carrier` and `tracking_number` if given (validated by the
    caller's form; see commerce.orders.tracking). The change is logged with `user` in the
    order's history (with the tracking), and the customer is emailed when the order ships or
    is cancelled.
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
        if new_status == OrderStatus.COMPLETED:
            # Delivered: a cash-on-delivery payment still pending was collected (a card
            # payment, or cash already recorded, is left as it is).
            record_cash_collected(locked)
        locked.status = new_status
        changed = ["status", "updated_at"]
        log_data = {"from": old_status.value, "to": new_status.value}
        if new_status == OrderStatus.SHIPPED:
            locked.shipped_at = timezone.now()
            locked.carrier = carrier
            locked.tracking_number = tracking_number
            changed += ["shipped_at", "carrier", "tracking_number"]
            log_data.update(carrier=carrier, tracking_number=tracking_number)
        locked.save(update_fields=changed)
        if new_status == OrderStatus.CANCELLED:
            hide_reviews_no_longer_backed(locked, user=user)
        log(locked, LOG_ACTION, user=user, data=log_data)
        transaction.on_commit(lambda: send_status_update(locked))

    for field in ("status", "updated_at", "shipped_at", "carrier", "tracking_number"):
        setattr(order, field, getattr(locked, field))
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
    if new_status not in allowed_transitions(order):
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
    next_statuses = allowed_transitions(order)
    if not next_statuses:
        return f"{order} is {old_status.label.lower()}; its status can no longer change."
    choices = " or ".join(status.label.lower() for status in next_statuses)
    return (
        f"{order} is {old_status.label.lower()} and cannot be marked "
        f"{new_status.label.lower()}; it can only be marked {choices}."
    )

