import importlib
import uuid
from decimal import Decimal

import pytest
from django.apps import apps

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.place_order import CheckoutError, place_order
from commerce.orders.models import OrderItem, OrderStatus
from commerce.orders.status import change_status
from commerce.orders.stock import release_stock
from products.ledger import StockReason
from products.models import ProductPage
from tests.factories import DELIVERY, make_customer, make_placed_order, make_product, put_on_shelf

pytestmark = pytest.mark.django_db


def stock_of(product):
    return ProductPage.objects.get(pk=product.pk).stock


def test_placing_an_order_takes_its_units_off_the_shelf(customer, product_index):
    laptop = make_product(product_index, "Counted Laptop", stock=7)
    make_placed_order(customer, (laptop, 3))
    assert stock_of(laptop) == 4


def test_publishing_an_old_revision_does_not_bring_sold_stock_back(customer, product_index):
    laptop = make_product(product_index, "Counted Laptop", stock=7)
    make_placed_order(customer, (laptop, 3))
    ProductPage.objects.get(pk=laptop.pk).get_latest_revision().publish()
    assert stock_of(laptop) == 4


def test_releasing_an_order_puts_its_units_back_once(customer, product_index):
    laptop = make_product(product_index, "Counted Laptop", stock=7)
    untracked = make_product(product_index, "Made To Order", stock=None)
    order = make_placed_order(customer, (laptop, 3), (untracked, 2))

    assert release_stock(order, reason=StockReason.CANCELLATION) is True
    assert release_stock(order, reason=StockReason.CANCELLATION) is False

    assert stock_of(laptop) == 7
    assert stock_of(untracked) is None
    order.refresh_from_db()
    assert order.stock_reserved is False


def test_cancelling_an_order_sold_while_stock_was_untracked_leaves_the_count_staff_made(
    customer, product_index
):
    laptop = make_product(product_index, "Counted Later", stock=None)
    order = make_placed_order(customer, (laptop, 4))
    put_on_shelf(laptop, 10)  # staff count the shelf

    change_status(order, OrderStatus.CANCELLED)

    assert stock_of(laptop) == 10


def test_each_line_records_the_units_it_took_and_gives_them_back_once(customer, product_index):
    laptop = make_product(product_index, "Counted Laptop", stock=7)
    untracked = make_product(product_index, "Made To Order", stock=None)
    order = make_placed_order(customer, (laptop, 3), (untracked, 2))

    reserved = dict(order.items.values_list("product_name", "reserved_quantity"))
    assert reserved == {"Counted Laptop": 3, "Made To Order": 0}

    put_on_shelf(untracked, 5)
    release_stock(order, reason=StockReason.CANCELLATION)

    assert (stock_of(laptop), stock_of(untracked)) == (7, 5)
    assert set(order.items.values_list("reserved_quantity", flat=True)) == {0}


def test_releasing_gives_back_what_was_taken_even_if_the_line_was_changed_since(
    customer, product_index
):
    laptop = make_product(product_index, "Counted Laptop", stock=7)
    order = make_placed_order(customer, (laptop, 3))
    OrderItem.objects.filter(order=order).update(quantity=1)  # corrected by hand afterwards

    release_stock(order, reason=StockReason.CANCELLATION)

    assert stock_of(laptop) == 7


def test_the_migration_gives_orders_holding_stock_their_lines_reserved_units(
    customer, product_index
):
    laptop = make_product(product_index, "Counted Laptop", stock=20)
    untracked = make_product(product_index, "Made To Order", stock=None)
    holding = make_placed_order(customer, (laptop, 3), (untracked, 2))
    released = make_placed_order(customer, (laptop, 1))
    release_stock(released, reason=StockReason.CANCELLATION)
    OrderItem.objects.update(reserved_quantity=0)  # as the column is added
    migration = importlib.import_module("commerce.migrations.0012_order_item_reserved_quantity")

    migration.fill(apps, None)

    assert dict(holding.items.values_list("product_name", "reserved_quantity")) == {
        "Counted Laptop": 3, "Made To Order": 0,
    }
    assert released.items.get().reserved_quantity == 0
    migration.empty(apps, None)
    assert set(OrderItem.objects.values_list("reserved_quantity", flat=True)) == {0}


def test_releasing_skips_products_deleted_since(product_index):
    laptop = make_product(product_index, "Counted Laptop", stock=5)
    gone = make_product(product_index, "Discontinued", stock=5)
    order = make_placed_order(make_customer(), (laptop, 1), (gone, 1))
    gone.delete()

    assert release_stock(order, reason=StockReason.CANCELLATION) is True
    assert stock_of(laptop) == 5
    assert order.items.get(product=None).product_name == "Discontinued"


def test_the_last_unit_in_stock_can_be_bought(customer, product_index):
    laptop = make_product(product_index, "Last One", stock=1)

    order = make_placed_order(customer, (laptop, 1))

    assert order.status == OrderStatus.PLACED
    assert stock_of(laptop) == 0


def test_two_units_are_refused_when_one_is_left(customer, product_index):
    laptop = make_product(product_index, "Last One", stock=2)
    add_to_cart(CustomerCart(customer), laptop.pk, 2)
    put_on_shelf(laptop, 1)  # another shopper took one

    with pytest.raises(CheckoutError, match="only 1 of Last One is left"):
        place_order(customer, DELIVERY, "cod", checkout_token=uuid.uuid4(),
                    expected_total=Decimal("1998.00"))

    assert stock_of(laptop) == 1
