"""The migration to variants gives every product one variant with its price and live stock, and
points the cart and order lines made before it at that variant."""

import pytest

from commerce.cart.models import AnonymousCartLine
from commerce.orders.models import OrderItem
from products.ledger import StockMovement
from products.models import ProductPage
from products.variants import ProductVariant
from tests.factories import make_product
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("products", "0008_back_in_stock"), ("commerce", "0020_order_tracking")]


def test_each_product_becomes_one_variant_and_old_lines_sell_it(product_index):
    laptop = make_product(product_index, "Zen Book", price="899.00", stock=9)
    untracked = make_product(product_index, "Made To Order", price="1500.00", stock=None)
    apps = migrate(BEFORE)
    try:
        OldProduct = apps.get_model("products", "ProductPage")
        # Sales since the page's last revision: the live count is what must carry over.
        OldProduct.objects.filter(pk=laptop.pk).update(stock=4)
        apps.get_model("products", "StockMovement").objects.create(
            product_id=laptop.pk, change=4, balance=4, reason="opening"
        )
        order = apps.get_model("commerce", "Order").objects.create(status="placed")
        apps.get_model("commerce", "OrderItem").objects.create(
            order=order, product_id=laptop.pk, product_name="Zen Book", quantity=2,
            unit_price="899.00",
        )
        cart = apps.get_model("commerce", "AnonymousCart").objects.create(session_key="s" * 32)
        apps.get_model("commerce", "AnonymousCartLine").objects.create(
            cart=cart, product_id=untracked.pk, quantity=1
        )

        migrate_to_latest()

        variant = ProductVariant.objects.get(product_id=laptop.pk)
        assert (variant.sku, variant.stock, variant.unit_price, variant.option_labels) == (
            "ZEN-BOOK", 4, ProductPage.objects.get(pk=laptop.pk).price, ""
        )
        assert ProductPage.objects.get(pk=laptop.pk).price_from == variant.unit_price
        made_to_order = ProductVariant.objects.get(product_id=untracked.pk)
        assert made_to_order.stock is None
        item = OrderItem.objects.get()
        assert (item.variant, item.sku, item.display_name) == (variant, "ZEN-BOOK", "Zen Book")
        assert AnonymousCartLine.objects.get().variant == made_to_order
        # The ledger so far is the variant's, so it still sums to the live count.
        assert list(StockMovement.objects.values_list("variant", "balance")) == [(variant.pk, 4)]
    finally:
        migrate_to_latest()
