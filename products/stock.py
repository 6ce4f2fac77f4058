"""Writing stock counts: the one module that changes ProductVariant.stock, and the stock total
and price range ProductPage keeps of its variants (`sync_products`).

Checkout takes units off the shelf and cancelling puts them back (commerce.orders.stock, by
adding to the count); an editor sets a variant's count in the product editor (products/views.py)
and a catalogue import in its stock column (products/catalogue_csv.py). All of them lock the
product rows with `lock_products` first and then the variant rows with `lock_variants`, each in
id order, so none overwrites another and two of them never deadlock. Saving or publishing the
page writes back the counts read under that lock (ProductPageForm and
ProductPage.with_content_json keep the live ones), so a count changes only here.

Every change leaves one row per variant in the stock ledger (products.ledger), in the same
transaction, with its reason and the order or staff member behind it; and a product that goes
from 0 (or below) to available emails those waiting for it (products.back_in_stock) once the
transaction commits.
"""

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from home.shared import page_cache

from .back_in_stock import alert_when_restocked
from .ledger import record_movements
from .models import ProductPage
from .sales import PRICE, regular_price_sql, sale_price_sql
from .variants import ProductVariant


def lock_products(product_ids):
    """Lock the rows of the products `product_ids` until the transaction ends; returns
    {product id: ProductPage} read under the lock. Call inside a transaction.

    Locked in id order so that two checkouts sharing products cannot deadlock. Only the
    product table is locked (`of`), so editors saving the page title are not held up.
    """
    products = (
        ProductPage.objects.select_for_update(of=("self",))
        .filter(pk__in=list(product_ids))
        .order_by("pk")
    )
    return {product.pk: product for product in products}


def lock_variants(variant_ids):
    """Lock the products of the variants `variant_ids`, then the variants, each in id order;
    returns {variant id: ProductVariant} read under the lock, with its product."""
    variant_ids = list(variant_ids)
    products = lock_products(
        ProductVariant.objects.filter(pk__in=variant_ids).values_list("product_id", flat=True)
    )
    variants = (
        ProductVariant.objects.select_for_update(of=("self",))
        .filter(pk__in=variant_ids)
        .order_by("pk")
    )
    locked = {}
    for variant in variants:
        variant.product = products[variant.product_id]
        locked[variant.pk] = variant
    return locked


def change_stock(units_by_variant, sign, *, reason, order=None, user=None):
    """Add (sign 1) or take (sign -1) units of locked variants, in one UPDATE for any number,
    write one ledger row per variant with `reason` (a StockReason), `order` and `user`, and
    keep their products' totals.

    update() sends no signal: the caller invalidates the page cache once its change is done.
    """
    units_by_variant = {pk: units for pk, units in units_by_variant.items() if units}
    if not units_by_variant:
        return
    variants = ProductVariant.objects.filter(pk__in=units_by_variant)
    variants.update(
        stock=F("stock") + Case(
            *(When(pk=pk, then=Value(sign * units)) for pk, units in units_by_variant.items()),
            output_field=IntegerField(),
        )
    )
    # The rows are locked by the caller, so this reads the balances the UPDATE left.
    balances = variants.order_by("pk").values_list("pk", "product_id", "stock")
    record_movements(
        [(product_id, pk, sign * units_by_variant[pk], balance)
         for pk, product_id, balance in balances],
        reason=reason, order=order, user=user,
    )
    sync_products(
        {product_id for _pk, product_id, _balance in balances},
        restocked_variants=[
            pk for pk, _product_id, balance in balances
            if balance is not None and is_restock(balance - sign * units_by_variant[pk], balance)
        ],
    )


def set_variant_stock(variant_id, count, *, reason, user=None):
    """Set the stock count of a locked variant to `count` (None: not tracked), as an editor
    or an import does, record it in the ledger, and let cached pages show it."""
    set_variants_stock({variant_id: count}, reason=reason, user=user)


def set_variants_stock(counts_by_variant, *, reason, user=None):
    """Set the stock counts of locked variants, {variant id: count (None: not tracked)}, in
    one UPDATE for any number, as a catalogue import does; one ledger row per changed count."""
    if not counts_by_variant:
        return
    variants = ProductVariant.objects.filter(pk__in=list(counts_by_variant))
    before = list(variants.order_by("pk").values_list("pk", "product_id", "stock"))
    changed = [
        (product_id, pk, old, counts_by_variant[pk])
        for pk, product_id, old in before
        if old != counts_by_variant[pk]
    ]
    if changed:
        ProductVariant.objects.filter(pk__in=[pk for _p, pk, _o, _n in changed]).update(
            stock=Case(
                # Cast: a NULL alone (stock no longer tracked) is text to PostgreSQL.
                *(When(pk=pk, then=Cast(Value(new), IntegerField()))
                  for _p, pk, _old, new in changed),
                output_field=IntegerField(),
            )
        )
        record_movements(
            [(product_id, pk, (new or 0) - (old or 0), new)
             for product_id, pk, old, new in changed],
            reason=reason, user=user,
        )
        sync_products(
            {product_id for product_id, _pk, _old, _new in changed},
            restocked_variants=[pk for _p, pk, old, new in changed if is_restock(old, new)],
        )
    page_cache.invalidate_catalogue()  # update() sends no signal


def set_stock(product_id, count, *, reason, user=None):
    """Set the stock of a locked product sold in one configuration (its only variant), as a
    catalogue import's stock column does."""
    variant_ids = list(
        ProductVariant.objects.filter(product_id=product_id).values_list("pk", flat=True)
    )
    if len(variant_ids) != 1:
        raise ValueError("Set the stock of a product with several variants per variant.")
    set_variant_stock(variant_ids[0], count, reason=reason, user=user)


def sync_products(product_ids, *, restocked_variants=None):
    """Recompute the stock total and price range of `product_ids` from their active variants,
    in one UPDATE. Given `restocked_variants` (the variants of a stock change that went from
    0 to available), those waiting for them, and for a product that was out of stock and now
    is not, are emailed."""
    product_ids = list(product_ids)
    if not product_ids:
        return
    alert = restocked_variants is not None
    before = dict(
        ProductPage.objects.filter(pk__in=product_ids).values_list("pk", "stock")
    ) if alert else {}
    active = ProductVariant.objects.filter(product=OuterRef("pk"), active=True)
    per_product = active.order_by().values("product")
    unit_price = regular_price_sql(OuterRef)
    # What each variant sells at during the sale (products.sales.sale_price_of).
    priced = active.annotate(regular=unit_price).annotate(sale=sale_price_sql(OuterRef))
    priced = priced.annotate(sale_price_now=Coalesce("sale", "regular"))
    has_sale = Exists(priced.filter(sale__isnull=False))
    during_sale = priced.order_by().values("product")
    ProductPage.objects.filter(pk__in=product_ids).update(
        stock=Case(
            When(Exists(active.filter(stock__isnull=True)), then=Value(None)),
            default=Coalesce(
                Subquery(per_product.annotate(total=Sum("stock")).values("total")), Value(0)
            ),
            output_field=IntegerField(),
        ),
        price_from=Subquery(per_product.annotate(low=Min(unit_price)).values("low")),
        price_to=Subquery(per_product.annotate(high=Max(unit_price)).values("high")),
        sale_price_from=Case(When(has_sale, then=Subquery(
            during_sale.annotate(low=Min("sale_price_now")).values("low")
        )), output_field=PRICE),
        sale_price_to=Case(When(has_sale, then=Subquery(
            during_sale.annotate(high=Max("sale_price_now")).values("high")
        )), output_field=PRICE),
    )
    if alert:
        after = dict(ProductPage.objects.filter(pk__in=product_ids).values_list("pk", "stock"))
        alert_when_restocked(
            [pk for pk in product_ids if is_restock(before.get(pk), after.get(pk))],
            restocked_variants,
        )


def is_restock(before, after):
    """Whether a product whose count went from `before` to `after` (None: not tracked) was out
    of stock and can be bought again."""
    return before is not None and before <= 0 and (after is None or after > 0)


def record_initial_stock(product, *, reason, user=None, variant_ids=None):
    """Record in the ledger the stock a product's variants were created with (nothing for
    those not tracked): all of its variants, or those of `variant_ids`."""
    variants = ProductVariant.objects.filter(product=product, stock__gt=0)
    if variant_ids is not None:
        variants = variants.filter(pk__in=variant_ids)
    record_movements(
        [(product.pk, pk, stock, stock) for pk, stock in variants.values_list("pk", "stock")],
        reason=reason, user=user,
    )
