"""Writing a product's stock count: the one module that changes ProductPage.stock of a product
that exists.

Checkout takes units off the shelf and cancelling puts them back (commerce.orders.stock, by
adding to the count); an editor sets the count in the product editor (products/views.py) and a
catalogue import in its stock column (products/catalogue_csv.py). All of them lock the product
rows with `lock_products` first, so none overwrites another. Saving or
publishing the page writes back the count it read under that lock (ProductPageForm and
ProductPage.with_content_json keep the live one), so a count changes only here.

Every change leaves one row per product in the stock ledger (products.ledger), in the same
transaction, with its reason and the order or staff member behind it; and a product that goes
from 0 (or below) to available emails those waiting for it (products.back_in_stock) once the
transaction commits.
"""

from django.db.models import Case, F, IntegerField, Value, When

from home.shared import page_cache

from .back_in_stock import alert_when_restocked
from .ledger import record_movements
from .models import ProductPage


def lock_products(product_ids):
    """Lock the rows of the products `product_ids` until the transaction ends; returns
    {product id: ProductPage} read under the lock. Call inside a transaction.

    Locked in id order so that two checkouts sharing products cannot deadlock. Only the
    product table is locked (`of`), so editors saving the page title are not held up.
    """
    products = (
        ProductPage.objects.select_for_update(of=("self",))
        .filter(pk__in=product_ids)
        .order_by("pk")
    )
    return {product.pk: product for product in products}


def change_stock(units_by_product, sign, *, reason, order=None, user=None):
    """Add (sign 1) or take (sign -1) units of locked products, in one UPDATE for any number,
    and write one ledger row per product with `reason` (a StockReason), `order` and `user`.

    update() sends no signal: the caller invalidates the page cache once its change is done.
    """
    units_by_product = {pk: units for pk, units in units_by_product.items() if units}
    if not units_by_product:
        return
    products = ProductPage.objects.filter(pk__in=units_by_product)
    products.update(
        stock=F("stock") + Case(
            *(When(pk=pk, then=Value(sign * units)) for pk, units in units_by_product.items()),
            output_field=IntegerField(),
        )
    )
    # The rows are locked by the caller, so this reads the balances the UPDATE left.
    changes = [
        (pk, sign * units_by_product[pk], balance)
        for pk, balance in products.order_by("pk").values_list("pk", "stock")
    ]
    record_movements(changes, reason=reason, order=order, user=user)
    alert_when_restocked(
        pk for pk, change, balance in changes
        if balance is not None and is_restock(balance - change, balance)
    )


def set_stock(product_id, count, *, reason, user=None):
    """Set the stock count of a locked product to `count` (None: not tracked), as an editor
    or an import does, record it in the ledger, and let cached pages show it."""
    products = ProductPage.objects.filter(pk=product_id)
    before = products.values_list("stock", flat=True).first()
    products.update(stock=count)
    if before != count:
        record_movements(
            [(product_id, (count or 0) - (before or 0), count)], reason=reason, user=user
        )
        if is_restock(before, count):
            alert_when_restocked([product_id])
    page_cache.invalidate_catalogue()  # update() sends no signal


def is_restock(before, after):
    """Whether a product whose count went from `before` to `after` (None: not tracked) was out
    of stock and can be bought again."""
    return before is not None and before <= 0 and (after is None or after > 0)


def record_initial_stock(product, *, reason, user=None):
    """Record in the ledger the stock a product was created with (nothing if not tracked)."""
    if product.stock:
        record_movements([(product.pk, product.stock, product.stock)], reason=reason, user=user)
