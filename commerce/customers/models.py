"""The shop's customer: one per Django user, with the name, email and phone the shop uses."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from home.shared.phone import validate_phone


class Customer(models.Model):
    """A shopper's profile, one-to-one with their Django user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=10, blank=True, validators=[validate_phone])
    created_at = models.DateTimeField(auto_now_add=True)
    # When the customer opened the link emailed to `email` (commerce.customers.accounts).
    email_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="commerce_customer_email_unique",
                violation_error_message="A customer with this email address already exists.",
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
