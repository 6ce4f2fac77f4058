"""The catalogue listing: filters, facet counts, sorting and pagination of product pages.

Brand comes from the spec blocks, but filtering and counting read ``ProductPage.brand``: an
indexed copy written on every publish (see ``ProductPage.sync_spec_columns``). RAM and price
follow the variants a product is sold in: RAM 32 GB finds a product with a 32 GB
configuration (a variant's own RAM, else the product's spec), and a price range matches a
product with a configuration priced in it; the listing sorts by a product's lowest price
(``ProductPage.price_from``). Facets are counted by a few SQL aggregates, so a listing page
costs the same number of queries for 20 products or 20,000, with any number of variants.

Facets are counted "disjunctively": the counts of one facet apply every other active filter
but not its own, so ticking Lenovo still shows how many Dell laptops the same RAM and price
choices would give. Values within a facet are alternatives (OR); facets combine with AND.
Malformed filter values in the query string are dropped silently: a shopper who edits the
address or follows an old link gets the listing, never an error page.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef
from django.db.models.functions import Coalesce

from home.shared import page_cache

from .sales import any_sale_on, current_price_range, current_variant_price, regular_price_sql
from .variants import ProductVariant

PRODUCTS_PER_PAGE = 24

# query string value -> (label, ordering); the last field of each ordering keeps pages stable.
SORT_ORDERS = {
    "name": ("Name", ("title", "pk")),
    "price": ("Price: low to high", ("price_from", "title", "pk")),
    "-price": ("Price: high to low", ("-price_from", "title", "pk")),
    "newest": ("Newest", ("-first_published_at", "-pk")),
}
DEFAULT_SORT = "name"

# Lists of at most this many products are sorted rather than read in index order.
SORT_MATCHES_UP_TO = 500

# A query string cannot ask for more values of one filter than this (keeps queries small).
MAX_VALUES_PER_FILTER = 30

_brand_field = forms.CharField(max_length=120)
_ram_field = forms.IntegerField(min_value=1, max_value=2**31 - 1)
_tag_field = forms.SlugField(max_length=100, allow_unicode=True)
_price_field = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2)


def _valid_values(form_field, raw_values):
    """The cleaned values of raw_values that form_field accepts, in order, without repeats."""
    cleaned = []
    for raw in raw_values[:MAX_VALUES_PER_FILTER]:
        try:
            value = form_field.clean(raw)
        except ValidationError:
            continue
        if value not in cleaned:
            cleaned.append(value)
    return tuple(cleaned)


def _valid_value(form_field, raw):
    values = _valid_values(form_field, [raw]) if raw else ()
    return values[0] if values else None


@dataclass(frozen=True)
class ProductFilters:
    """What a shopper asked the listing for, read from the query string."""

    brands: tuple[str, ...] = ()
    ram_sizes: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params):
        """Read filters from a QueryDict, ignoring values that are not well formed."""
        sort = params.get("sort")
        return cls(
            brands=_valid_values(_brand_field, params.getlist("brand")),
            ram_sizes=_valid_values(_ram_field, params.getlist("ram")),
            tags=_valid_values(_tag_field, params.getlist("tag")),
            min_price=_valid_value(_price_field, params.get("min_price")),
            max_price=_valid_value(_price_field, params.get("max_price")),
            sort=sort if sort in SORT_ORDERS else DEFAULT_SORT,
        )

    @property
    def is_filtering(self):
        return bool(
            self.brands
            or self.ram_sizes
            or self.tags
            or self.min_price is not None
            or self.max_price is not None
        )


def filter_products(products, filters, *, except_facet=None):
    """Products matching every filter, except the one named by except_facet if given.

    except_facet is one of "brand", "ram", "tag" or "price"; facet counts use it.
    """
    if filters.brands and except_facet != "brand":
        products = products.filter(brand__in=filters.brands)
    if filters.ram_sizes and except_facet != "ram":
        products = products.filter(
            Exists(offered_variants().filter(ram__in=filters.ram_sizes))
        )
    if filters.tags and except_facet != "tag":
        tagged = products.model.tags.through.objects.filter(tag__slug__in=filters.tags)
        products = products.filter(pk__in=tagged.values("content_object_id"))
    if except_facet != "price" and (
        filters.min_price is not None or filters.max_price is not None
    ):
        priced = offered_variants()
        if filters.min_price is not None:
            priced = priced.filter(unit_price__gte=filters.min_price)
        if filters.max_price is not None:
            priced = priced.filter(unit_price__lte=filters.max_price)
        products = products.filter(Exists(priced))
    return products


def offered_variants(products=None):
    """The active variants of the product in the outer query (or of `products`), annotated
    with their `ram` (their own, else their product's) and `unit_price` (what they sell for now,
    products.sales)."""
    variants = ProductVariant.objects.filter(active=True).annotate(
        ram=Coalesce("ram_gb", "product__ram_gb"),
        regular=regular_price_sql(),
    ).annotate(unit_price=current_variant_price())
    if products is None:
        return variants.filter(product=OuterRef("pk"))
    return variants.filter(product__in=products.order_by().values("pk"))


def sort_products(products, sort, *, read_in_index_order=True):
    """Products in the order named by sort (a key of SORT_ORDERS; unknown keys sort by name).

    With read_in_index_order=False the database sorts the matching products rather than
    reading the catalogue in index order until a page is full; see build_listing for when.
    """
    _label, ordering = SORT_ORDERS.get(sort, SORT_ORDERS[DEFAULT_SORT])
    if ordering[0].lstrip("-") == "price_from" and any_sale_on():
        # While a sale is on, by the prices shoppers see; no index serves that.
        lowest, _highest = current_price_range()
        first, *rest = ordering
        return products.order_by(
            lowest.desc() if first.startswith("-") else lowest.asc(), *rest
        )
    if read_in_index_order:
        return products.order_by(*ordering)
    first, *rest = ordering
    name = first.lstrip("-")
    # COALESCE(x, x) is x, but no index serves it, so the planner sorts.
    unindexed = Coalesce(F(name), F(name))
    return products.order_by(
        unindexed.desc() if first.startswith("-") else unindexed.asc(), *rest
    )


@dataclass(frozen=True)
class FacetOption:
    value: str  # as it appears in the query string
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    brands: list[FacetOption] = field(default_factory=list)
    ram_sizes: list[FacetOption] = field(default_factory=list)
    tags: list[FacetOption] = field(default_factory=list)
    lowest_price: Decimal | None = None
    highest_price: Decimal | None = None
    matching: int = 0  # products matching every filter


def _options(counted, selected, label=str):
    """FacetOptions from (value, display, count) rows, keeping selected values with no match."""
    options = [
        FacetOption(str(value), label(display), count, value in selected)
        for value, display, count in counted
    ]
    present = {value for value, _display, _count in counted}
    options += [
        FacetOption(str(value), label(value), 0, True) for value in selected if value not in present
    ]
    return options


def _breakdown(products):
    """(brand, number of products, lowest price, highest price) rows: one query, a few dozen
    rows however large the catalogue, from which brand counts and the price range are summed
    up."""
    lowest, highest = current_price_range()
    return list(
        products.order_by()
        .values_list("brand")
        .annotate(count=Count("pk"), lowest=Min(lowest), highest=Max(highest))
    )


def _brand_counts(rows):
    """(brand, number of products), by brand, leaving out products without one."""
    return sorted(((brand, count) for brand, count, *_ in rows if brand), key=lambda row:
                  row[0].casefold())


def _ram_counts(products):
    """(RAM, number of products with a configuration of that RAM), by RAM: one query."""
    return list(
        offered_variants(products).exclude(ram=None).order_by("ram").values_list("ram")
        .annotate(count=Count("product", distinct=True))
    )


def _tag_counts(products):
    """(slug, name, number of products) of the tags on products, by tag name: one query."""
    return list(
        products.order_by()
        .filter(tagged_items__isnull=False)
        .values_list("tagged_items__tag__slug", "tagged_items__tag__name")
        .annotate(count=Count("pk"))
        .order_by("tagged_items__tag__name")
    )


def count_facets(products, filters):
    """Brand, RAM and tag values present among products, each with its number of products,
    the lowest and highest price, and how many products match every filter.

    A facet the shopper has not filtered on is counted over the filtered products, so those
    facets share one breakdown query; a facet with values ticked gets its own. Three queries
    for the whole catalogue, five at most.
    """
    matching = _breakdown(filter_products(products, filters))
    filtered_on = {
        "brand": bool(filters.brands),
        "price": filters.min_price is not None or filters.max_price is not None,
    }

    def rows_for(facet):
        if filtered_on[facet]:
            return _breakdown(filter_products(products, filters, except_facet=facet))
        return matching

    by_brand = _brand_counts(rows_for("brand"))
    by_ram = _ram_counts(filter_products(products, filters, except_facet="ram"))
    price_rows = rows_for("price")
    by_tag = _tag_counts(filter_products(products, filters, except_facet="tag"))
    return Facets(
        brands=_options([(b, b, n) for b, n in by_brand], filters.brands),
        ram_sizes=_options([(r, r, n) for r, n in by_ram], filters.ram_sizes, "{} GB".format),
        tags=_options(by_tag, filters.tags),
        lowest_price=min((row[2] for row in price_rows if row[2] is not None), default=None),
        highest_price=max((row[3] for row in price_rows if row[3] is not None), default=None),
        matching=sum(row[1] for row in matching),
    )


class CountedPaginator(Paginator):
    """A Paginator told how many objects there are, so it does not count them again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


@dataclass(frozen=True)
class Listing:
    products: object  # a Page of the paginator: iterate it for the products shown
    filters: ProductFilters
    facets: Facets
    sort_options: list[tuple[str, str]]


def build_listing(products, params, per_page=PRODUCTS_PER_PAGE):
    """One page of products filtered, sorted and paginated by the query string params, with
    the facets to refine it. The number of queries does not depend on the number of products.
    """
    filters = ProductFilters.from_query(params)
    # The same for everyone: kept until the catalogue changes (home/shared/page_cache.py).
    facets = page_cache.remember(
        ("listing facets", str(products.query), filters),
        lambda: count_facets(products, filters),
    )
    shown = sort_products(
        filter_products(products, filters),
        filters.sort,
        # PostgreSQL reads an index in the chosen order until a page is full, expecting
        # matches spread evenly. They may not be: names start with the brand, so reading the
        # name index for "Lenovo" passes every Acer, Apple and Dell first. Sorting a few
        # hundred matches costs little, so that is what is done when only so many match.
        read_in_index_order=facets.matching > SORT_MATCHES_UP_TO,
    ).with_images()
    page = CountedPaginator(shown, per_page, facets.matching).get_page(params.get("page"))
    page.object_list = list(page.object_list)  # read here, not while the template renders
    return Listing(
        products=page,
        filters=filters,
        facets=facets,
        sort_options=[(key, label) for key, (label, _ordering) in SORT_ORDERS.items()],
    )
