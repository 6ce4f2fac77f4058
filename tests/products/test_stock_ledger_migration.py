"""The migration that starts the stock ledger opens it with the stock products have then."""

import pytest

from tests.factories import make_product
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("products", "0006_product_gallery")]
AFTER = [("products", "0007_stock_ledger")]


def test_products_with_stock_get_an_opening_balance_so_the_ledger_sums_to_it(product_index):
    counted = make_product(product_index, "Counted Laptop", stock=5)
    make_product(product_index, "Sold Out Laptop", stock=0)
    make_product(product_index, "Made To Order", stock=None)
    migrate(BEFORE)
    try:
        apps = migrate(AFTER)
        StockMovement = apps.get_model("products", "StockMovement")
        rows = StockMovement.objects.values_list("product_id", "change", "balance", "reason")
        assert list(rows) == [(counted.pk, 5, 5, "opening")]
    finally:
        migrate_to_latest()
