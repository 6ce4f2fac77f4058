"""Thin receivers: keep cart totals right and carry the session cart across log-in."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from commerce import pricing
from commerce.cart import carts as cart
from commerce.orders.models import Order, OrderItem


@receiver(post_save, sender=OrderItem, dispatch_uid="commerce_item_saved")
@receiver(post_delete, sender=OrderItem, dispatch_uid="commerce_item_deleted")
def recalculate_order_totals(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # Looked up afresh: the item's cached order may be stale, or already deleted in a cascade.
    order = Order.objects.filter(pk=instance.order_id).first()
    if order is not None:
        pricing.reprice_cart(order)


@receiver(user_logged_in, dispatch_uid="commerce_merge_session_cart")
def merge_cart_at_login(sender, request, user, **kwargs):
    if request is not None:
        cart.merge_session_cart(request, user)
