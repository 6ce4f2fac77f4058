"""Shipping methods and US sales tax rates, edited by staff in the Wagtail admin.

The money they lead to is computed in commerce.pricing; commerce.shipping.rates finds which
method and rate apply to a cart or an order.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from localflavor.us.models import USStateField
from localflavor.us.us_states import STATE_CHOICES
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from commerce.orders.models import MONEY

NOT_NEGATIVE = MinValueValidator(Decimal("0.00"), message="Enter an amount of 0 or more.")
OPTIONAL_MONEY = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True}


class ShippingMethodForm(WagtailAdminModelForm):
    states = forms.MultipleChoiceField(
        choices=STATE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave every state unticked to ship to all of them.",
    )


class ShippingMethod(models.Model):
    """A way an order can be shipped, priced by commerce.pricing.shipping_price."""

    name = models.CharField(max_length=80)
    delivery_estimate = models.CharField(
        max_length=80, help_text="What shoppers read at checkout, e.g. “3–5 business days”."
    )
    flat_price = models.DecimalField(
        "flat price", validators=[NOT_NEGATIVE], help_text="Charged on every order.", **MONEY
    )
    price_per_kg = models.DecimalField(
        "price per kg",
        validators=[NOT_NEGATIVE],
        help_text="Optional: added per kg of the order's weight (the products' weight spec; a "
        "product without one counts as the default weight in Settings › Shipping).",
        **OPTIONAL_MONEY,
    )
    free_above = models.DecimalField(
        "free shipping from",
        validators=[NOT_NEGATIVE],
        help_text="Optional: orders whose merchandise, after the bulk discount, reaches this "
        "amount ship free with this method.",
        **OPTIONAL_MONEY,
    )
    states = models.JSONField(
        default=list, blank=True, help_text="Two-letter state codes; empty: every state."
    )
    active = models.BooleanField(default=True, help_text="Untick to stop offering it.")
    sort_order = models.PositiveSmallIntegerField(
        "order", default=0, help_text="Lower numbers are listed first at checkout."
    )

    base_form_class = ShippingMethodForm
    panels = [
        FieldPanel("name"),
        FieldPanel("delivery_estimate"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("flat_price"), FieldPanel("price_per_kg")]),
             FieldPanel("free_above")],
            heading="Price",
        ),
        FieldPanel("states"),
        FieldRowPanel([FieldPanel("active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def serves(self, state):
        """True if this method ships to `state`, a two-letter code (any state when empty)."""
        return not self.states or state in self.states


class TaxRate(models.Model):
    """The sales tax rate of one destination state; a state without a row has no tax."""

    state = USStateField(unique=True)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=6,
        decimal_places=3,
        validators=[NOT_NEGATIVE, MaxValueValidator(Decimal("30"))],
        help_text="A percentage, e.g. 7.250. Applied to the merchandise after the bulk discount.",
    )
    taxes_shipping = models.BooleanField(
        "shipping is taxed",
        default=False,
        help_text="Tick if this state also taxes the shipping charge.",
    )

    panels = [FieldPanel("state"), FieldPanel("rate"), FieldPanel("taxes_shipping")]

    class Meta:
        ordering = ["state"]

    def __str__(self):
        return f"{self.state}: {self.rate}%"


@register_setting(icon="site")
class ShippingSettings(BaseSiteSetting):
    """Shipping defaults staff edit under Settings."""

    default_weight_kg = models.DecimalField(
        "default weight (kg)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="What a product without a weight spec counts as, for prices per kg.",
    )

    panels = [FieldPanel("default_weight_kg")]

    class Meta:
        verbose_name = "shipping"
