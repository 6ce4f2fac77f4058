"""How an order was paid and what was given back: payment methods, statuses and refunds."""

from django.conf import settings
from django.db import models


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CASH_ON_DELIVERY = "cod", "Cash on delivery"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AUTHORISED = "authorised", "Authorised"
    # Cash on delivery once staff mark the order delivered and paid.
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined"
    REFUNDED = "refunded", "Refunded"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ProviderEvent(models.Model):
    """An event a payment provider sent (a Stripe webhook), recorded by its id before it is
    handled, so a repeated delivery changes nothing (commerce.checkout.stripe_webhooks)."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_provider_event"),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"


class Refund(models.Model):
    """Money given back through a payment gateway, recorded before the gateway is asked.

    A refund is saved as pending, with its idempotency key, in a committed step of its own;
    the gateway is then called with that key and the refund settled. If anything fails in
    between, the next attempt finds the pending refund and asks again with the same key, so
    the provider never gives the money back twice. See commerce.payments.refunds.
    """

    order = models.ForeignKey("commerce.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        "commerce.CheckoutDetail", on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    provider_reference = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    # Why staff gave the money back; blank for the full refund a cancellation makes.
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status="pending"),
                name="one_pending_refund_per_payment",
            ),
        ]

    def __str__(self):
        return f"Refund of {self.amount} for {self.order}"
