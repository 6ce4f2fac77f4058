"""The promotions marketers edit: today the bulk discount rule, a site setting."""

from decimal import Decimal

from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from commerce.orders.models import MAX_QUANTITY

# A bulk discount above this is almost certainly a typo (95 for 9.5), and would sell the
# catalogue at a loss.
MAX_BULK_DISCOUNT_PERCENTAGE = Decimal("90")


@register_setting(icon="tag")
class BulkDiscountSettings(BaseSiteSetting):
    """The bulk discount rule marketers edit under Settings; applied by commerce.pricing."""

    enabled = models.BooleanField(
        "bulk discount on",
        default=True,
        help_text="Untick to stop giving the discount. Orders already placed keep theirs.",
    )
    threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY - 1)],
        help_text="The discount applies when one line of an order has more than this many "
        "units of the same product: 3 means from the 4th unit.",
    )
    percentage = models.DecimalField(
        "percentage off",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[
            MinValueValidator(Decimal("0.01"), message="Enter a percentage above 0."),
            MaxValueValidator(
                MAX_BULK_DISCOUNT_PERCENTAGE,
                message=f"The discount cannot be more than {MAX_BULK_DISCOUNT_PERCENTAGE} "
                "percent.",
            ),
        ],
        help_text=f"Taken off the whole order total, for example 20 (at most "
        f"{MAX_BULK_DISCOUNT_PERCENTAGE}).",
    )

    panels = [FieldPanel("enabled"), FieldPanel("threshold"), FieldPanel("percentage")]

    class Meta:
        verbose_name = "bulk discount"
