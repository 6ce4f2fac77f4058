"""The cart of a visitor who has not logged in, kept with their session."""

from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models

from commerce.orders.models import MAX_QUANTITY


class AnonymousCart(models.Model):
    """The cart of a shopper who is not signed in, keyed by the session that made it.

    A row rather than session data so that concurrent changes lock it and queue, as a
    customer's cart order does. Merged into the customer's cart at log-in; rows whose
    session has expired are deleted by `manage.py clear_expired_carts`.
    """

    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Anonymous cart #{self.pk}"


class AnonymousCartLine(models.Model):
    cart = models.ForeignKey(AnonymousCart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    date_added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_added", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="anonymous_cart_line_quantity_1_to_99",
            ),
            models.UniqueConstraint(
                fields=["cart", "product"], name="anonymous_cart_one_line_per_product"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product}"
