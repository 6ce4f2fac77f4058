"""Emails that tell a customer what happened to their order: placed, shipped, cancelled."""

from django.conf import settings

from home.emails import send_shop_email

from .models import CheckoutDetail, OrderStatus

# Status changes the customer hears about, with the template each one uses.
STATUS_EMAILS = {
    OrderStatus.SHIPPED: "commerce/emails/order_shipped",
    OrderStatus.CANCELLED: "commerce/emails/order_cancelled",
}


def send_order_confirmation(order):
    """Email the customer their order: lines, discount, total, delivery and payment."""
    return _send(order, "commerce/emails/order_confirmation", items=list(order.items.all()))


def send_status_update(order):
    """Tell the customer their order shipped or was cancelled (and whether their card payment
    was given back). Other statuses send nothing; returns whether an email was queued."""
    template = STATUS_EMAILS.get(order.status)
    return bool(template) and _send(order, template)


def _send(order, template_prefix, **extra):
    # Sent to the address the order was placed with (its billing snapshot).
    if not order.billing_email:
        return False
    context = {
        "order": order,
        "detail": CheckoutDetail.objects.filter(order=order).first(),
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "order_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + order.get_absolute_url(),
        **extra,
    }
    return send_shop_email(template_prefix, context, [order.billing_email])
