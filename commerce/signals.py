"""Thin receivers: keep cart totals right, carry the session cart across log-in, and clear
the page cache when a review or its author's name changes (both show on product pages) or a
voucher changes (public ones show in the Current offers block; carts price with the vouchers
held in memory)."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from commerce.cart import carts as cart
from commerce.customers.models import Customer
from commerce.orders.models import OrderItem
from commerce.promotions.models import Voucher
from commerce.reviews.models import Review
from commerce.shipping.models import ShippingMethod
from home.shared import fixed_lookups, page_cache
from products.models import ProductPage


@receiver(post_save, sender=OrderItem, dispatch_uid="commerce_item_saved")
@receiver(post_delete, sender=OrderItem, dispatch_uid="commerce_item_deleted")
def recalculate_order_totals(sender, instance, raw=False, **kwargs):
    if not raw:
        cart.reprice_order_of(instance)


@receiver(user_logged_in, dispatch_uid="commerce_merge_session_cart")
def merge_cart_at_login(sender, request, user, **kwargs):
    if request is not None:
        cart.merge_session_cart(request, user)


@receiver(post_save, sender=Review, dispatch_uid="commerce_review_saved")
@receiver(post_delete, sender=Review, dispatch_uid="commerce_review_deleted")
@receiver(post_save, sender=Customer, dispatch_uid="commerce_customer_saved")
@receiver(post_delete, sender=Customer, dispatch_uid="commerce_customer_deleted")
@receiver(post_save, sender=Voucher, dispatch_uid="commerce_voucher_saved")
@receiver(post_delete, sender=Voucher, dispatch_uid="commerce_voucher_deleted")
def invalidate_cached_pages(sender, instance, **kwargs):
    page_cache.invalidate_catalogue()


@receiver(post_save, sender=Voucher, dispatch_uid="commerce_voucher_saved_lookups")
@receiver(post_delete, sender=Voucher, dispatch_uid="commerce_voucher_deleted_lookups")
def forget_held_vouchers(sender, instance, **kwargs):
    # Carts price with the voucher rows held in memory (vouchers.current_voucher), and the
    # Current offers block writes from the public ones (vouchers.public_vouchers).
    fixed_lookups.invalidate()


@receiver(post_save, sender=ShippingMethod, dispatch_uid="commerce_shipping_method_saved")
@receiver(post_delete, sender=ShippingMethod, dispatch_uid="commerce_shipping_method_deleted")
def forget_held_shipping_methods(sender, instance, **kwargs):
    # Product pages and checkout read the active methods held in memory (rates.active_methods);
    # a product page shows their prices in its structured data.
    fixed_lookups.invalidate()
    page_cache.invalidate_catalogue()


@receiver(pre_delete, sender=ProductPage, dispatch_uid="commerce_product_deleted")
def drop_deleted_product_from_carts(sender, instance, **kwargs):
    # Placed orders keep their lines (the product is set to null); carts just lose them.
    cart.remove_product_from_carts(instance.pk)
