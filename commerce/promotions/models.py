"""The promotions marketers edit: the bulk discount rule (a site setting) and voucher codes
(snippets). Both are applied by commerce.pricing; commerce.promotions.vouchers decides whether a
code may be used."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import PreviewableMixin

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


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FIXED = "fixed", "Fixed amount off"


class Voucher(PreviewableMixin, models.Model):
    """A code a shopper types in the cart for money off their order (commerce.pricing applies
    it, never stacked with the bulk discount: the shopper gets whichever saves more).

    A use is a placed (or awaiting payment) order that got the voucher's discount; a cancelled
    order gives its use back, since uses are counted from the orders themselves.
    """

    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="What shoppers type, for example SAVE10. Stored in capitals; shoppers may "
        "type it in any case.",
    )
    kind = models.CharField(
        max_length=20, choices=VoucherKind.choices, default=VoucherKind.PERCENTAGE
    )
    value = models.DecimalField(
        "amount or percentage off",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message="Enter an amount above 0.")],
        help_text=f"10 is 10% off (at most {MAX_BULK_DISCOUNT_PERCENTAGE}%), or 10.00 off the "
        "order for a fixed amount.",
    )
    minimum_order = models.DecimalField(
        "minimum order value",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The subtotal the cart must reach for the code to apply. Empty: any order.",
    )
    starts_at = models.DateTimeField("valid from", null=True, blank=True)
    ends_at = models.DateTimeField("valid until", null=True, blank=True)
    usage_limit = models.PositiveIntegerField(
        "total uses", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="How many orders may use the code in all. Empty: no limit.",
    )
    per_customer_limit = models.PositiveIntegerField(
        "uses per customer", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="How many orders one customer (or one email, for guests) may use it on. "
        "Empty: no limit.",
    )
    active = models.BooleanField(default=True, help_text="Untick to stop the code at once.")
    public = models.BooleanField(
        default=False, help_text="Show this code in the Current offers block on the storefront."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("code"), FieldPanel("kind"), FieldPanel("value"), FieldPanel("minimum_order"),
        FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("usage_limit"),
        FieldPanel("per_customer_limit"), FieldPanel("active"), FieldPanel("public"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalise_code(self.code)
        if Voucher.objects.filter(code=self.code).exclude(pk=self.pk).exists():
            raise ValidationError({"code": "Another voucher already has this code."})
        if self.kind == VoucherKind.PERCENTAGE and self.value is not None and (
            self.value > MAX_BULK_DISCOUNT_PERCENTAGE
        ):
            raise ValidationError(
                {"value": f"A voucher cannot take more than {MAX_BULK_DISCOUNT_PERCENTAGE} "
                 "percent off."}
            )
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})

    def get_preview_template(self, request, mode_name):
        return "commerce/promotions/voucher_preview.html"

    def get_preview_context(self, request, mode_name):
        """What the preview shows marketers: the code as the Current offers block words it,
        whether a shopper entering it now would get it, and what it takes off an example
        cart (its minimum order, or $100.00)."""
        from django.utils import timezone

        from commerce import pricing
        from commerce.promotions.offers import voucher_offer
        from commerce.promotions.vouchers import date_refusal

        self.code = normalise_code(self.code)
        example = self.minimum_order or Decimal("100.00")
        return {
            **super().get_preview_context(request, mode_name),
            "voucher": self,
            "offer": voucher_offer(self) if self.value else None,
            "refusal": date_refusal(self, timezone.now()),
            "example_cart": example,
            "example_off": pricing.voucher_discount(pricing.voucher_terms(self), example)
            if self.value else Decimal("0.00"),
        }

    def discounted_amount(self):
        """The money this voucher's orders were given off, in cents (for the listing's export;
        needs the `discounted` of commerce.promotions.vouchers.vouchers_with_uses)."""
        from commerce.pricing import to_money

        return to_money(self.discounted)


def normalise_code(code):
    """A voucher code as stored and matched: without surrounding spaces, in capitals."""
    return (code or "").strip().upper()
