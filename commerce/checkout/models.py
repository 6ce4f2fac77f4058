"""What checkout records for a placed order: where it goes and how it was paid."""

from decimal import Decimal

from django.db import models

from commerce.customers.models import Customer
from commerce.orders.models import MONEY, Order
from commerce.payments.models import PaymentMethod, PaymentStatus
from home.shared.phone import validate_phone
from home.shared.postal import PostalAddress, validate_zip_code

__all__ = ["CheckoutDetail", "validate_zip_code"]


class CheckoutDetail(PostalAddress):
    """Where and how an order is delivered and paid. Never holds a card number or CVV."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="checkout_detail")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("shipping address", max_length=255)
    phone = models.CharField(max_length=10, validators=[validate_phone])
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    payment_token = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    # What the payment actually came to, as the gateway answered: refunds are bounded by
    # these, never by the order's total.
    amount_authorised = models.DecimalField(**MONEY, editable=False)
    amount_captured = models.DecimalField(**MONEY, editable=False)
    amount_refunded = models.DecimalField(**MONEY, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Delivery for {self.order}"

    @property
    def refundable_amount(self):
        """What was captured and not given back yet."""
        return max(self.amount_captured - self.amount_refunded, Decimal("0.00"))
