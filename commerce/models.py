"""The commerce app's models, one module per concern; Django loads them from here."""

from commerce.cart.models import AnonymousCart, AnonymousCartLine
from commerce.checkout.models import CheckoutDetail, CheckoutSettings
from commerce.customers.addresses import Address
from commerce.customers.models import Customer
from commerce.orders.models import Order, OrderItem
from commerce.payments.models import ProviderEvent, Refund
from commerce.promotions.models import BulkDiscountSettings, Voucher
from commerce.recovery.models import CartReminder
from commerce.reviews.models import Review
from commerce.shipping.models import ShippingMethod, ShippingSettings, TaxRate

__all__ = [
    "Address", "AnonymousCart", "AnonymousCartLine", "BulkDiscountSettings", "CartReminder",
    "CheckoutDetail",
    "CheckoutSettings", "Customer", "Order", "OrderItem", "ProviderEvent", "Refund", "Review",
    "ShippingMethod", "ShippingSettings", "TaxRate", "Voucher",
]
