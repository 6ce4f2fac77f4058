"""The benchmark's checkout race ends as it must with the two-phase card checkout."""

from decimal import Decimal

import pytest
from django.db import connection

from bench.checkout import RACE_PRODUCT_SLUG, checkout_race
from commerce.orders.models import Order, OrderStatus
from tests.factories import make_shipping_method

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_twelve_buyers_for_four_units_make_four_paid_orders(product_index):
    make_shipping_method("Standard", flat_price="5.00")  # the demo shop, as make bench seeds it
    figures = checkout_race(buyers=12, stock=4)

    assert figures["correct"], figures
    assert (figures["orders"], figures["out_of_stock"], figures["stock_left"]) == (4, 8, 0)
    paid = Order.objects.filter(items__product__slug=RACE_PRODUCT_SLUG, status=OrderStatus.PAID)
    assert paid.count() == 4
    assert {order.shipping for order in paid} == {Decimal("5.00")}


def test_a_second_race_restocks_the_product_the_first_sold_out(product_index):
    make_shipping_method("Standard", flat_price="5.00")
    checkout_race(buyers=6, stock=3)
    again = checkout_race(buyers=6, stock=3)

    assert again["correct"], again
    assert (again["orders"], again["out_of_stock"], again["stock_left"]) == (3, 3, 0)
