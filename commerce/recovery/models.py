"""Abandoned-cart reminders: one row per abandoned cart, made when the job claims it."""

from django.db import models
from django.utils import timezone

from commerce.cart.models import AnonymousCart
from commerce.customers.models import Customer
from commerce.orders.models import Order


class ReminderOutcome(models.TextChoices):
    REMINDED = "reminded", "Reminded"
    # The cart's address had unsubscribed: counted as abandoned, never emailed.
    UNSUBSCRIBED = "unsubscribed", "Not reminded: unsubscribed"


class CartReminder(models.Model):
    """An abandoned cart, claimed once by the reminder job (commerce.recovery.reminders).

    A customer's cart is its Order in the CART status, a guest's its AnonymousCart; each can
    have one row only, which is what keeps a cart from being reminded twice. The lines are
    kept as they were, so the signed link restores them after the guest's session is gone.
    """

    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous_cart = models.OneToOneField(
        AnonymousCart, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set for a customer's cart: its link asks them to log in, as their cart is their account's.
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField()
    # {product id (as a string, JSON keys are): units} when the cart was claimed.
    lines = models.JSONField(default=dict)
    abandoned_at = models.DateTimeField(help_text="When the cart last changed.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=20, choices=ReminderOutcome.choices)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_cart_recovery_report", "Can view the abandoned-cart recovery report"),
        ]

    def __str__(self):
        return f"Cart reminder #{self.pk}"

    def quantities(self):
        """{product id: units} of the reminded cart."""
        return {int(product_id): units for product_id, units in self.lines.items()}
