"""The cart of a visitor who has not logged in, kept with their session."""

from django.db import models
from django.utils import timezone

from commerce.orders.models import Line, fill_variant


class AnonymousCart(models.Model):
    """The cart of a shopper who is not signed in, keyed by the session that made it.

    A row rather than session data so that concurrent changes lock it and queue, as a
    customer's cart order does. Merged into the customer's cart at log-in; rows whose
    session has expired are deleted by `manage.py clear_expired_carts`.
    """

    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a line was last added, changed or removed (SessionCart), for cart reminders.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The email a guest typed at checkout, so an abandoned cart can be reminded
    # (commerce.recovery); blank until then.
    email = models.EmailField(blank=True)
    # The voucher code the shopper entered; moves to their customer cart at log-in.
    voucher_code = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return f"Anonymous cart #{self.pk}"


class AnonymousCartLine(Line):
    cart = models.ForeignKey(AnonymousCart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="+"
    )
    variant = models.ForeignKey(
        "products.ProductVariant", on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Line.Meta):
        constraints = [
            *Line.Meta.constraints,
            models.UniqueConstraint(
                fields=["cart", "variant"], name="anonymous_cart_one_line_per_variant"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant}"

    def save(self, *args, **kwargs):
        fill_variant(self)
        super().save(*args, **kwargs)
