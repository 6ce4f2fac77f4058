"""Emails that tell a customer what happened to their order: placed, shipped, cancelled."""

from django.conf import settings

from commerce.checkout.models import CheckoutDetail
from commerce.orders.guest_orders import guest_order_links
from commerce.orders.models import OrderStatus
from home.shared.emails import absolute_url, send_shop_email
from home.shared.models import OutgoingEmail

CONFIRMATION_TEMPLATE = "commerce/orders/emails/order_confirmation"

# Status changes the customer hears about, with the template each one uses.
STATUS_EMAILS = {
    OrderStatus.SHIPPED: "commerce/orders/emails/order_shipped",
    OrderStatus.CANCELLED: "commerce/orders/emails/order_cancelled",
}


def send_order_confirmation(order):
    """Email the customer their order: lines, discount, total, delivery and payment.

    Returns the OutgoingEmail (None when the customer has no address)."""
    return _send(order, CONFIRMATION_TEMPLATE, items=list(order.items.all()))


def confirmation_email(order):
    """The latest confirmation email of `order`, to tell the customer whether it went out."""
    return OutgoingEmail.objects.about(order).filter(template=CONFIRMATION_TEMPLATE).last()


def send_status_update(order):
    """Tell the customer their order shipped or was cancelled (and whether their card payment
    was given back). Other statuses send nothing; returns the OutgoingEmail, or None."""
    template = STATUS_EMAILS.get(order.status)
    return _send(order, template) if template else None


def _send(order, template_prefix, **extra):
    # Sent to the address the order was placed with (its billing snapshot).
    if not order.billing_email:
        return None
    # A guest has no account to log in to: their links carry a signed token instead.
    guest_links = guest_order_links(order)
    context = {
        "order": order,
        "detail": CheckoutDetail.objects.filter(order=order).first(),
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "order_url": guest_links.get("order") or absolute_url(order.get_absolute_url()),
        "invoice_url": guest_links.get("invoice"),
        **extra,
    }
    return send_shop_email(template_prefix, context, [order.billing_email], about=order)
