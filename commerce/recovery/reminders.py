"""Abandoned-cart reminders.

A cart with lines that has not changed for SHOP_ABANDONED_CART_DELAY_HOURS (and not for more
than SHOP_ABANDONED_CART_MAX_AGE_DAYS, so a first run never mails every old cart) gets one
email: a customer's cart to the customer, a guest's once they typed an email at checkout. It
lists the lines at today's prices and a signed link that puts them back in a cart on any
device. A cart is claimed (its row locked with skip_locked, a CartReminder inserted, which a
unique key allows once) before anything is sent, and the email goes after that transaction
commits, so runs at the same time or again remind nobody twice. A placed cart is no cart any
more (a customer's leaves the CART status, a guest's is deleted), so it is never reminded.
Addresses that unsubscribed are claimed without an email.

Run `send_cart_reminders` on a schedule: `manage.py send_cart_reminders`, or the task
`send_cart_reminders_task` from the task worker.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from commerce.cart.carts import SESSION_CART_KEY, CustomerCart, SessionCart
from commerce.cart.models import AnonymousCart, AnonymousCartLine
from commerce.orders.models import Order, OrderItem
from commerce.recovery.models import CartReminder, ReminderOutcome
from home.shared.emails import absolute_url, send_marketing_email
from home.shared.unsubscribe import has_opted_out

EMAIL_TEMPLATE = "commerce/recovery/emails/cart_reminder"

_signer = signing.TimestampSigner(salt="commerce.recovery.restore-cart")


def line_name(line):
    """What a reminded cart line is called in the email (a CartLine of commerce.cart.carts)."""
    return line.name


def abandoned_window(now):
    """(oldest, newest): a cart last changed in this window counts as abandoned at `now`."""
    newest = now - timedelta(hours=settings.SHOP_ABANDONED_CART_DELAY_HOURS)
    return now - timedelta(days=settings.SHOP_ABANDONED_CART_MAX_AGE_DAYS), newest


def abandoned_customer_carts(now):
    """Customers' carts with lines, abandoned at `now` and never claimed."""
    oldest, newest = abandoned_window(now)
    return (
        Order.objects.carts()
        .filter(customer__isnull=False, updated_at__gt=oldest, updated_at__lte=newest)
        .exclude(customer__email="")
        .filter(Exists(OrderItem.objects.filter(order=OuterRef("pk"), product__isnull=False)))
        .filter(~Exists(CartReminder.objects.filter(order=OuterRef("pk"))))
    )


def abandoned_guest_carts(now):
    """Guests' carts with lines and an email, abandoned at `now` and never claimed."""
    oldest, newest = abandoned_window(now)
    return (
        AnonymousCart.objects.filter(updated_at__gt=oldest, updated_at__lte=newest)
        .exclude(email="")
        .filter(Exists(AnonymousCartLine.objects.filter(cart=OuterRef("pk"))))
        .filter(~Exists(CartReminder.objects.filter(anonymous_cart=OuterRef("pk"))))
    )


def send_cart_reminders(now=None):
    """Claim every abandoned cart once and email its reminder; returns how many were emailed."""
    now = now or timezone.now()
    sent = 0
    for pk in abandoned_customer_carts(now).values_list("pk", flat=True):
        sent += _remind(_claim_customer_cart, pk, now)
    for pk in abandoned_guest_carts(now).values_list("pk", flat=True):
        sent += _remind(_claim_guest_cart, pk, now)
    return sent


@task()
def send_cart_reminders_task():
    """The task worker's way to run send_cart_reminders."""
    return send_cart_reminders()


def _remind(claim, pk, now):
    """Claim one cart with `claim` and, once that has committed, email it. 1 if emailed."""
    try:
        with transaction.atomic():
            claimed = claim(pk, now)
    except IntegrityError:  # another run claimed it between our look and our insert
        return 0
    if claimed is None:
        return 0
    reminder, contents = claimed
    if reminder.outcome != ReminderOutcome.REMINDED:
        return 0
    return int(send_reminder(reminder, contents) is not None)


def _claim_customer_cart(pk, now):
    _oldest, newest = abandoned_window(now)
    # skip_locked: a cart being changed or checked out right now is not abandoned.
    order = (
        Order.objects.carts().select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk, updated_at__lte=newest).select_related("customer").first()
    )
    if order is None or CartReminder.objects.filter(order=order).exists():
        return None
    cart = CustomerCart(order.customer)
    cart.order = order
    return _claim(cart, order.customer.email, order.updated_at, now,
                  order=order, customer=order.customer)


def _claim_guest_cart(pk, now):
    _oldest, newest = abandoned_window(now)
    row = (
        AnonymousCart.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, updated_at__lte=newest).exclude(email="").first()
    )
    if row is None or CartReminder.objects.filter(anonymous_cart=row).exists():
        return None
    # A session of one key is all SessionCart needs to read the cart.
    cart = SessionCart({SESSION_CART_KEY: row.session_key})
    return _claim(cart, row.email, row.updated_at, now, anonymous_cart=row)


def _claim(cart, email, abandoned_at, now, **whose):
    """Insert the CartReminder of `cart` (locked); None if nothing in it is for sale now."""
    contents = cart.contents()
    if contents.is_empty:
        return None
    reminder = CartReminder.objects.create(
        email=email,
        lines={str(product_id): units for product_id, units in cart.quantities().items()},
        abandoned_at=abandoned_at,
        created_at=now,
        outcome=ReminderOutcome.UNSUBSCRIBED if has_opted_out(email) else
        ReminderOutcome.REMINDED,
        **whose,
    )
    return reminder, contents


def send_reminder(reminder, contents):
    """The reminder email of `reminder`, listing `contents` (the cart at today's prices)."""
    return send_marketing_email(
        EMAIL_TEMPLATE,
        {
            "lines": [
                {"name": line_name(line), "quantity": line.quantity,
                 "unit_price": line.unit_price, "line_total": line.line_total}
                for line in contents.lines
            ],
            "totals": contents.totals,
            "restore_url": absolute_url(
                reverse("recovery:restore_cart", args=[restore_token(reminder)])
            ),
            "name": reminder.customer.name if reminder.customer else "",
            "shop_name": settings.WAGTAIL_SITE_NAME,
        },
        to=reminder.email,
        about=reminder,
    )


def restore_token(reminder):
    """The signed token of the link that puts `reminder`'s lines back in a cart."""
    return _signer.sign_object({"reminder": reminder.pk})


def reminder_from_token(token):
    """The CartReminder `token` was signed for, or None if it was tampered with or expired
    (SHOP_ABANDONED_CART_LINK_DAYS)."""
    try:
        data = _signer.unsign_object(
            token, max_age=timedelta(days=settings.SHOP_ABANDONED_CART_LINK_DAYS)
        )
        return CartReminder.objects.filter(pk=data["reminder"]).first()
    except (signing.BadSignature, TypeError, KeyError):
        return None


def missing_lines(reminder, quantities):
    """{product id: units} that a cart holding `quantities` lacks to hold `reminder`'s lines,
    so following the link twice, or on the device that still has the cart, adds nothing."""
    return {
        product_id: units - quantities.get(product_id, 0)
        for product_id, units in reminder.quantities().items()
        if units > quantities.get(product_id, 0)
    }


def remember_checkout_email(session, email):
    """Keep the email a guest typed at checkout on their session cart, so it can be reminded
    if they leave. An address that is not valid is ignored."""
    key = session.get(SESSION_CART_KEY)
    if not isinstance(key, str) or not isinstance(email, str):
        return
    try:
        validate_email(email.strip())
    except ValidationError:
        return
    AnonymousCart.objects.filter(session_key=key).update(email=email.strip())
