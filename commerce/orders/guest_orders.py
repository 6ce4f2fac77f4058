"""A guest's orders: placed without an account, opened by the session that placed them or by
the signed link in their confirmation email, and attached to the account that later confirms
the guest's email address.

The link's token is signed with the order's pk and number and a timestamp
(django.core.signing), so it opens that one order only, for SHOP_GUEST_ORDER_LINK_DAYS.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode

from commerce.checkout.models import CheckoutDetail
from commerce.orders.models import Order
from home.shared.emails import absolute_url

# The query parameter that carries the signed token on the order page and invoice links.
LINK_PARAMETER = "key"
# In the session: the pks of the guest orders this browser placed or opened by their link.
SESSION_ORDERS_KEY = "guest_orders"
# A browser remembers this many guest orders; the oldest are forgotten (their link still works).
SESSION_ORDERS_KEPT = 20

_signer = signing.TimestampSigner(salt="commerce.orders.guest-order-link")


def order_link_token(order):
    """The signed token that opens `order` (and nothing else) without an account."""
    return _signer.sign_object({"order": order.pk, "number": order.number})


def order_from_token(token, orders):
    """The order of `orders` that `token` was signed for, or None if the token is missing,
    tampered with, expired or signed for another order."""
    if not token:
        return None
    try:
        data = _signer.unsign_object(
            token, max_age=timedelta(days=settings.SHOP_GUEST_ORDER_LINK_DAYS)
        )
        return orders.filter(pk=data["order"], number=data["number"]).first()
    except (signing.BadSignature, TypeError, KeyError):
        return None


def guest_order_links(order):
    """The links a guest's emails carry: {"order": its page, "invoice": its PDF}, each signed
    for this order, on SHOP_BASE_URL. Empty for an order that has a customer (they log in)."""
    if not order.is_guest_order:
        return {}
    query = urlencode({LINK_PARAMETER: order_link_token(order)})
    return {
        "order": absolute_url(f"{order.get_absolute_url()}?{query}"),
        "invoice": absolute_url(f"{reverse('invoices:download', args=[order.number])}?{query}"),
    }


def remember_guest_order(session, order):
    """Let the browser of `session` open the guest's `order` again without its link."""
    kept = [pk for pk in session.get(SESSION_ORDERS_KEY, []) if pk != order.pk]
    session[SESSION_ORDERS_KEY] = [*kept, order.pk][-SESSION_ORDERS_KEPT:]


def guest_order_for(request, number, orders):
    """The guest order `number` of `orders` if this request may open it: its browser placed
    or opened it before, or the request carries its signed link (which the browser then
    remembers). None otherwise."""
    by_link = order_from_token(request.GET.get(LINK_PARAMETER), orders.filter(number=number))
    if by_link is not None and by_link.is_guest_order:
        remember_guest_order(request.session, by_link)
        return by_link
    remembered = request.session.get(SESSION_ORDERS_KEY, [])
    if not isinstance(remembered, list):
        return None
    return orders.filter(number=number, customer__isnull=True, pk__in=remembered).first()


def is_guest_order_number(number):
    """Whether `number` is a placed guest order (so a visitor without access gets 404, not the
    log-in page, which a customer's order asks for)."""
    return Order.objects.not_carts().filter(number=number, customer__isnull=True).exists()


def attach_guest_orders(customer):
    """Give `customer` the guest orders placed with their email address (any case), once they
    have confirmed it; an unconfirmed address claims nothing. Returns how many were attached.
    """
    if customer.email_confirmed_at is None or not customer.email:
        return 0
    with transaction.atomic():
        orders = Order.objects.not_carts().filter(
            customer__isnull=True, billing_email__iexact=customer.email
        )
        pks = list(orders.select_for_update().values_list("pk", flat=True))
        CheckoutDetail.objects.filter(order__in=pks).update(customer=customer)
        return Order.objects.filter(pk__in=pks).update(customer=customer)
