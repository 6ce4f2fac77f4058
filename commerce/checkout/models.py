"""What checkout records for a placed order: where it goes and how it was paid."""

from decimal import Decimal

from django.core.validators import (
    RegexValidator,
)
from django.db import models

from commerce.customers.models import Customer
from commerce.orders.models import MONEY, Order
from commerce.payments.models import PaymentMethod, PaymentStatus
from home.shared.phone import validate_phone

validate_zip_code = RegexValidator(
    r"^\d{5}(-\d{4})?$",
    message="Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789.",
    code="invalid_zip_code",
)


class CheckoutDetail(models.Model):
    """Where and how an order is delivered and paid. Never holds a card number or CVV."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="checkout_detail")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("shipping address", max_length=255)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100)
    zip_code = models.CharField("ZIP code", max_length=10, validators=[validate_zip_code])
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


def last_checkout(customer):
    """The CheckoutDetail of `customer`'s latest checkout, or None: where they last shipped to,
    which checkout fills in again and the cart's shipping and tax estimate uses."""
    if customer is None:
        return None
    return CheckoutDetail.objects.filter(customer=customer).order_by("-created_at").first()
