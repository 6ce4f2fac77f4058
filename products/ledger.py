"""The stock ledger: one row for every change of a variant's stock count, and why.

Rows are written only by products.stock, in the transaction that changes the count, so a
variant's changes add up to its live stock and the last row's balance is that stock. The
order a row belongs to is a generic relation: products never imports the shop's orders.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class StockReason(models.TextChoices):
    SALE = "sale", "Sale"
    CANCELLATION = "cancellation", "Cancellation"
    RESERVATION_EXPIRY = "reservation_expiry", "Reservation expiry"
    STAFF_ADJUSTMENT = "staff_adjustment", "Staff adjustment"
    IMPORT = "import", "Import"
    RETURN = "return", "Return"
    # Written once by the migration that started the ledger, for the stock products had then.
    OPENING = "opening", "Opening balance"


class StockMovement(models.Model):
    """One change of a product's stock: `change` units (+ or -), leaving `balance` (None: the
    count stopped being tracked, and `change` took the last count off)."""

    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="stock_movements"
    )
    # The configuration whose count changed; None for rows from before variants, and for a
    # variant deleted since.
    variant = models.ForeignKey(
        "products.ProductVariant", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="stock_movements",
    )
    change = models.IntegerField()
    balance = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=32, choices=StockReason.choices)
    order_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order_id = models.PositiveBigIntegerField(null=True, blank=True)
    order = GenericForeignKey("order_type", "order_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="staff member",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "-created_at"], name="stock_ledger_product")]
        verbose_name = "stock movement"
        verbose_name_plural = "stock history"

    def __str__(self):
        return f"{self.change:+d} {self.get_reason_display().lower()}"


def record_movements(changes, *, reason, order=None, user=None):
    """Write one ledger row per (product id, variant id, change, balance after) in `changes`."""
    order_type = ContentType.objects.get_for_model(order) if order is not None else None
    now = timezone.now()
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=product_id,
            variant_id=variant_id,
            change=change,
            balance=balance,
            reason=reason,
            order_type=order_type,
            order_id=order.pk if order is not None else None,
            user=user if user is not None and user.is_authenticated else None,
            created_at=now,
        )
        for product_id, variant_id, change, balance in changes
    )
