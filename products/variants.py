"""Variants: the configurations a product is sold in, each with its own SKU, price and stock.

Every product has at least one variant; a product "without variants" has exactly one, with no
options, which its page never offers as a choice (the simple case stays as it was). Cart lines
and order lines are per variant. A variant's empty price is the product's price; its empty stock
means not tracked.

Stock is live inventory, not revisioned content: only products.stock writes a variant's count,
and ProductPage.stock holds the total over the active variants (None if any of them is not
tracked), kept by products.stock in the same transaction, so everything that asks "is this
product in stock?" reads one column.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from .availability import stock_state
from .options import option_labels, option_values
from .sales import current_price, sale_price_error

SKU_MAX_LENGTH = 64
validate_sku = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
    "A SKU is letters, digits and . _ / - only, starting with a letter or digit, e.g. "
    "XPS13-16-512.",
)


class ProductVariant(Orderable):
    product = ParentalKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(
        "SKU", max_length=SKU_MAX_LENGTH, unique=True, blank=True, validators=[validate_sku],
        help_text="Your stock-keeping unit, unique in the shop, e.g. XPS13-16-512. Leave empty "
        "to have one made from the product's slug and the options.",
    )
    ram_gb = models.PositiveIntegerField(
        "RAM (GB)", null=True, blank=True, db_index=True,
        help_text="Leave empty when all configurations share the RAM in the specs.",
    )
    storage_gb = models.PositiveIntegerField(
        "storage (GB)", null=True, blank=True, db_index=True,
        help_text="1 TB is 1024.",
    )
    colour = models.CharField(max_length=40, blank=True, db_index=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.00"), message="The price cannot be negative.")],
        help_text="Leave empty to sell at the product's price.",
    )
    sale_price = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.00"), message="The price cannot be negative.")],
        help_text="During the product's sale, for a variant with a price of its own. Empty: "
        "the product's sale price applies to variants at the product's price.",
    )
    stock = models.PositiveIntegerField(
        null=True, blank=True,
        help_text=(
            "Units available to sell. A change here applies to the shop immediately when you "
            "save, even as a draft. Leave empty if stock is not tracked."
        ),
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Shown when a shopper picks this configuration.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive configurations are not offered to shoppers."
    )

    class Meta(Orderable.Meta):
        verbose_name = "variant"

    def clean(self):
        super().clean()
        if error := sale_price_error(self.sale_price, self.price):
            raise ValidationError({"sale_price": error})

    def save(self, *args, **kwargs):
        # The editor's form refuses a SKU in use; a variant made otherwise with one (a copied
        # product's) gets its own.
        if not self.sku or (
            self.pk is None and ProductVariant.objects.filter(sku=self.sku).exists()
        ):
            self.sku = generate_sku(self)
        super().save(*args, **kwargs)

    def __str__(self):
        labels = self.option_labels
        return f"{self.product.title} ({labels})" if labels else self.product.title

    @property
    def unit_price(self):
        """What one unit sells for now: the sale price while the product's sale is on, else
        its own price, else the product's (products.sales)."""
        return current_price(self, self.product)

    @property
    def regular_price(self):
        """What one unit sells for outside a sale: its own price, else the product's."""
        return self.product.price if self.price is None else self.price

    @property
    def was_price(self):
        """The regular price, shown struck through, while the unit sells below it; else None."""
        regular = self.regular_price
        return regular if self.unit_price < regular else None

    @property
    def option_labels(self):
        return option_labels(self)

    @property
    def display_name(self):
        """The product name with the chosen options, as order lines show it."""
        return str(self)

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0

    @property
    def stock_state(self):
        return self.stock_state_for(self.product)

    def stock_state_for(self, product):
        """The stock state, by the low-stock threshold of `product` (this variant's)."""
        return stock_state(self.stock, product.low_stock_threshold)


def can_be_bought(product, variant=None):
    """Whether `product`, or its chosen configuration `variant`, can be added to a cart now."""
    return variant.in_stock if variant is not None else product.stock_state.can_buy


def generate_sku(variant):
    """A SKU for a variant that has none: the product's slug and the variant's option values
    in capitals (XPS-13-16GB-1TB-SILVER), numbered if that is taken."""
    product = variant.product
    parts = [slugify(product.slug or product.title) or "product"]
    parts += [
        slugify(option.display(value)).replace("-", "")
        for option, value in option_values(variant).items()
    ]
    base = "-".join(parts).upper()[:SKU_MAX_LENGTH - 6]
    sku, number = base, 2
    while ProductVariant.objects.filter(sku=sku).exclude(pk=variant.pk).exists():
        sku, number = f"{base}-{number}", number + 1
    return sku
