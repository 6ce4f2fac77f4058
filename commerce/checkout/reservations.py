"""Stock held by orders awaiting payment: how long, and giving it back exactly once.

An order paid through a provider holds its stock from checkout
(commerce.checkout.place_order.reserve_order) until `payment_due_by`,
SHOP_PAYMENT_RESERVATION_MINUTES later. Unless it is paid first
(commerce.checkout.payment_flow.pay_order), the stock goes back when the shopper returns to the
cart (`back_to_cart`) or when the reservation expires (`release_expired_reservations`:
`manage.py release_expired_reservations` on a schedule, `release_expired_reservations_task`
for the task worker, and `release_reservation_task`, queued at checkout for the moment the
reservation falls due when the task backend can run tasks later). Every one of these
decides under the order's row lock, so an order ends one way only.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from wagtail.log_actions import log

from commerce.cart import carts as cart
from commerce.orders import status as order_status
from commerce.orders.models import Order, OrderStatus
from commerce.orders.stock import release_stock
from products.ledger import StockReason

logger = logging.getLogger(__name__)

EXPIRED = "expired"
BACK_TO_CART = "back to cart"
STOCK_REASONS = {
    EXPIRED: StockReason.RESERVATION_EXPIRY,
    BACK_TO_CART: StockReason.CANCELLATION,
}


def reservation_time():
    """How long an order awaiting payment holds its stock (SHOP_PAYMENT_RESERVATION_MINUTES)."""
    return timedelta(minutes=settings.SHOP_PAYMENT_RESERVATION_MINUTES)


def awaits_payment(order, now=None):
    """True while `order` holds its reservation: awaiting payment and not yet due."""
    return (
        order.status == OrderStatus.AWAITING_PAYMENT
        and order.payment_due_by is not None
        and order.payment_due_by > (now or timezone.now())
    )


def back_to_cart(order, session=None):
    """The shopper gives up paying `order`: cancel it, put its stock back once, and its lines
    back into their cart (a guest's: the cart of their `session`) with the voucher code it
    used, unless the cart has one. Returns sentences for the shopper about lines that no longer
    fit (capped at the stock left, or no longer for sale); None if the order no longer awaited
    payment, and then nothing changed.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.AWAITING_PAYMENT:
            return None
        quantities = {}
        for variant_id, units in locked.items.filter(variant__isnull=False).values_list(
            "variant", "quantity"
        ):
            quantities[variant_id] = quantities.get(variant_id, 0) + units
        release_held_stock(locked, BACK_TO_CART)
    # After the release commits: the cart row is locked on its own, never with the products.
    if locked.customer is None:
        return cart.restore_to_session_cart(session, quantities, locked.voucher_code)
    return cart.restore_to_cart(locked.customer, quantities, locked.voucher_code)


def release_reservation(order, now=None):
    """Release the reservation of `order` if it awaits payment and is due: cancel it and put
    its stock back. True if this call released it; False if it was paid, released already,
    or is not due yet. The order row lock makes a concurrent payment and release end one
    way only."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.AWAITING_PAYMENT or awaits_payment(locked, now):
            return False
        release_held_stock(locked, EXPIRED)
    return True


def release_expired_reservations(now=None):
    """Release every order awaiting payment whose reservation is due; return how many.

    Run it on a schedule (`manage.py release_expired_reservations`), or let the task worker
    run `release_expired_reservations_task`. Safe to run at any time and in parallel: each
    order is released once.
    """
    now = now or timezone.now()
    due = Order.objects.awaiting_payment().filter(payment_due_by__lte=now)
    return sum(
        release_reservation(Order(pk=pk), now) for pk in due.values_list("pk", flat=True)
    )


@task()
def release_expired_reservations_task():
    """The task worker's way to run release_expired_reservations."""
    return release_expired_reservations()


@task()
def release_reservation_task(order_id):
    """Release one order's reservation once it is due (queued for its payment_due_by)."""
    return release_reservation(Order(pk=order_id))


def schedule_release(order):
    """Ask the task worker to release `order`'s reservation when it falls due, if the task
    backend can run tasks later (the database one can; the immediate one cannot, and then
    only `release_expired_reservations` releases it). A queue that cannot be reached is
    logged, never raised: the scheduled command still releases the order."""
    if not release_reservation_task.get_backend().supports_defer:
        return
    try:
        release_reservation_task.using(run_after=order.payment_due_by).enqueue(order.pk)
    except Exception:
        logger.exception("Could not queue the release of %s's reservation", order)


def release_held_stock(locked, reason):
    """Cancel `locked` (awaiting payment, its row locked) and put its stock back once: the
    stock ledger calls an expired reservation that, and giving up paying a cancellation."""
    release_stock(locked, reason=STOCK_REASONS[reason])
    move_awaiting_order(locked, OrderStatus.CANCELLED, reason=reason)


def move_awaiting_order(locked, new_status, reason=None):
    """Move `locked` (awaiting payment, its row locked) to `new_status` as the payment flow
    allows (commerce.orders.status.PAYMENT_TRANSITIONS), and record it in its history."""
    old_status = OrderStatus(locked.status)
    order_status.check_payment_transition(old_status, new_status)
    locked.status = new_status
    locked.payment_due_by = None
    locked.save(update_fields=["status", "payment_due_by", "updated_at"])
    data = {"from": old_status.value, "to": new_status.value}
    if reason:
        data["reason"] = reason
    log(locked, order_status.LOG_ACTION, data=data)
