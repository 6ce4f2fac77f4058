"""Scheduled sales: a product's sale price (and a variant's own), from a start to an end time.

A product carries one sale window (`sale_starts_at`, `sale_ends_at`: empty start means now,
empty end means until staff end it) and a sale price for the configurations sold at the
product's price; a variant with a price of its own may have a sale price of its own. While the
window is open a configuration sells at its sale price, when that is lower than its regular
price; outside it, at the regular price. Nothing runs at the start or the end: every price is
read against the clock, so a sale starts and ends on time with no command or deploy. What is
stored (ProductPage.sale_price_from/sale_price_to, the lowest and highest price of the active
configurations during the sale, kept by products.stock.sync_products) is the same at any time.

The page cache keeps no page past the next sale boundary (next_price_change, through the
`page_cache_expiry` hook), so a cached page never shows a price that has ended.
"""

from django.db.models import Case, DecimalField, F, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from home.shared import fixed_lookups, page_cache

PRICE = DecimalField(max_digits=10, decimal_places=2)


def sale_window_is_open(starts_at, ends_at, now=None):
    """Whether a sale from `starts_at` to `ends_at` (either None: open) is on at `now`; in SQL,
    open_sale_q."""
    now = now or timezone.now()
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


def sale_price_error(sale_price, price, price_name="the price"):
    """Why the editor refuses `sale_price` during the sale of a configuration regularly at
    `price` (`price_name` in the message), or None: one at or above it would never apply
    (sale_price_of)."""
    if sale_price is not None and price is not None and sale_price >= price:
        return f"The sale price must be below {price_name}."
    return None


def product_sale_is_on(product, now=None):
    """Whether `product`'s sale window is open and one of its active configurations has a
    sale price (sale_price_from is stored only then)."""
    return product.sale_price_from is not None and sale_window_is_open(
        product.sale_starts_at, product.sale_ends_at, now
    )


def sale_price_of(variant, product):
    """The sale price `variant` of `product` would sell at during the sale, or None: its own,
    else the product's when it sells at the product's price; never one at or above its
    regular price. In SQL, sale_price_sql."""
    sale = variant.sale_price
    if sale is None and variant.price is None:
        sale = product.sale_price
    regular = product.price if variant.price is None else variant.price
    if sale is None or regular is None or sale >= regular:
        return None
    return sale


def current_price(variant, product, now=None):
    """What one unit of `variant` sells for at `now`: the sale price while the sale is on,
    else its regular price (its own, else the product's)."""
    regular = product.price if variant.price is None else variant.price
    if not sale_window_is_open(product.sale_starts_at, product.sale_ends_at, now):
        return regular
    sale = sale_price_of(variant, product)
    return regular if sale is None else sale


def open_sale_q(now=None, prefix=""):
    """A filter for products whose sale window is open at `now` (sale_window_is_open in SQL);
    `prefix` leads to the product ("product__" in a query of variants)."""
    now = now or timezone.now()
    return (Q(**{f"{prefix}sale_starts_at__isnull": True})
            | Q(**{f"{prefix}sale_starts_at__lte": now})) & (
        Q(**{f"{prefix}sale_ends_at__isnull": True}) | Q(**{f"{prefix}sale_ends_at__gt": now})
    )


def current_price_range(now=None):
    """Expressions for a product's lowest and highest price at `now` (the listing's sort and
    price facet): the sale's range while its sale is on, else the regular range."""
    on = open_sale_q(now) & Q(sale_price_from__isnull=False)
    return (
        Case(When(on, then=F("sale_price_from")), default=F("price_from")),
        Case(When(on, then=F("sale_price_to")), default=F("price_to")),
    )


def variants_product(name):
    """A field of the variant's product, in a query of variants."""
    return F(f"product__{name}")


def regular_price_sql(product_field=variants_product):
    """SQL for a variant's regular price: its own, else its product's. `product_field(name)`
    is a field of its product: variants_product in a query of variants, OuterRef in one of
    products (products.stock.sync_products)."""
    return Coalesce("price", product_field("price"), output_field=PRICE)


def sale_price_sql(product_field=variants_product):
    """sale_price_of in SQL, on variants annotated with `regular` (regular_price_sql): the
    variant's sale price during the sale, or NULL."""
    sale = Coalesce(
        "sale_price", Case(When(price__isnull=True, then=product_field("sale_price"))),
        output_field=PRICE,
    )
    return Case(When(regular__gt=sale, then=sale), output_field=PRICE)


def current_variant_price(now=None):
    """current_price in SQL: an active variant's price at `now`, on a queryset of variants
    annotated with `regular` (regular_price_sql); products.listing filters the price range on
    it."""
    return Coalesce(
        Case(When(open_sale_q(now, prefix="product__"), then=sale_price_sql())),
        F("regular"), output_field=PRICE,
    )


def _sale_windows():
    from .models import ProductPage

    return list(
        ProductPage.objects.live()
        .filter(sale_price_from__isnull=False)
        .values_list("sale_starts_at", "sale_ends_at")
    )


def sale_windows():
    """(start, end) of every live product's sale, held in process memory until the catalogue
    next changes (home.shared.fixed_lookups)."""
    return fixed_lookups.held("sale windows", None, _sale_windows)


def any_sale_on(now=None):
    """Whether any live product's sale is on at `now` (else prices are the regular ones, and
    the listing sorts on its index)."""
    return any(sale_window_is_open(starts, ends, now) for starts, ends in sale_windows())


def next_price_change(now=None):
    """The next time a live product's sale starts or ends after `now`, or None."""
    return page_cache.first_change_after(now or timezone.now(), sale_windows())
