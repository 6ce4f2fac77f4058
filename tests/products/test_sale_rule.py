"""The sale rule is written twice, in Python (what a product page, the cart and checkout
charge) and in SQL (what the listing filters and sorts on, and the stored sale range): both
must give every configuration the same price at every moment of a sale's window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from products.models import ProductPage
from products.sales import (
    current_price,
    current_price_range,
    current_variant_price,
    regular_price_sql,
    sale_price_of,
)
from products.stock import sync_products
from products.variants import ProductVariant
from tests.factories import make_product, make_variants

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HOUR = timedelta(hours=1)

# (sale starts, sale ends) around NOW, as offsets (None: that end is open).
WINDOWS = {
    "before": (HOUR, 2 * HOUR),
    "starting this instant": (timedelta(0), HOUR),
    "during": (-HOUR, HOUR),
    "ending this instant": (-HOUR, timedelta(0)),
    "after": (-2 * HOUR, -HOUR),
    "open start": (None, HOUR),
    "open end": (-HOUR, None),
    "both ends open": (None, None),
    "open start, ended": (None, -HOUR),
    "open end, not started": (HOUR, None),
}

# Each configuration of a product at $1,000.00 on sale at $800.00: (price, sale price).
VARIANTS = [
    (None, None),        # at the product's price: its sale price
    (None, "750.00"),    # at the product's price, with a sale price of its own
    (None, "1000.00"),   # its own sale price not below the product's price: none
    ("1200.00", None),   # a price of its own and no sale price: the product's does not apply
    ("1200.00", "900.00"),   # a price of its own, on sale
    ("700.00", "700.00"),    # its own sale price not below its own price: none
]


@pytest.fixture
def product(product_index):
    product = make_product(product_index, "Rule Laptop", price="1000.00", stock=5)
    ProductPage.objects.filter(pk=product.pk).update(sale_price=Decimal("800.00"))
    make_variants(product, *[
        {"sku": f"RULE-{number}", "price": price, "stock": 1,
         "sale_price": None if sale is None else Decimal(sale)}
        for number, (price, sale) in enumerate(VARIANTS)
    ])
    return product


def open_window(product, starts, ends):
    ProductPage.objects.filter(pk=product.pk).update(
        sale_starts_at=None if starts is None else NOW + starts,
        sale_ends_at=None if ends is None else NOW + ends,
    )
    return ProductPage.objects.get(pk=product.pk)


@pytest.mark.parametrize("window", WINDOWS)
def test_python_and_sql_charge_every_configuration_the_same_price(product, window):
    product = open_window(product, *WINDOWS[window])
    in_sql = dict(
        ProductVariant.objects.filter(product=product)
        .annotate(regular=regular_price_sql())
        .annotate(unit_price=current_variant_price(NOW))
        .values_list("sku", "unit_price")
    )
    in_python = {
        variant.sku: current_price(variant, product, NOW)
        for variant in ProductVariant.objects.filter(product=product)
    }

    assert in_sql == in_python
    assert len(set(in_python.values())) > 1


@pytest.mark.parametrize("window", ["during", "before"])
def test_the_expected_prices_during_and_outside_the_sale(product, window):
    product = open_window(product, *WINDOWS[window])
    prices = [
        current_price(variant, product, NOW)
        for variant in ProductVariant.objects.filter(product=product).order_by("sort_order")
    ]
    during = window == "during"
    expected = ["800.00", "750.00", "1000.00", "1200.00", "900.00", "700.00"] if during else [
        "1000.00", "1000.00", "1000.00", "1200.00", "1200.00", "700.00"
    ]
    assert prices == [Decimal(price) for price in expected]


@pytest.mark.parametrize("window", WINDOWS)
def test_the_stored_sale_range_and_the_listing_range_follow_the_python_rule(product, window):
    product = open_window(product, *WINDOWS[window])
    sync_products([product.pk])
    product.refresh_from_db()
    variants = list(ProductVariant.objects.filter(product=product))
    during_sale = [
        sale_price_of(variant, product) or (
            product.price if variant.price is None else variant.price
        )
        for variant in variants
    ]
    assert (product.sale_price_from, product.sale_price_to) == (
        min(during_sale), max(during_sale)
    )

    lowest, highest = current_price_range(NOW)
    shown = ProductPage.objects.filter(pk=product.pk).annotate(
        lowest=lowest, highest=highest
    ).values_list("lowest", "highest").get()
    now = [current_price(variant, product, NOW) for variant in variants]
    assert shown == (min(now), max(now))
