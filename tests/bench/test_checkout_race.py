"""The benchmark's checkout race ends as it must with the two-phase card checkout."""

import pytest
from django.db import connection

from bench.checkout import RACE_PRODUCT_SLUG, checkout_race
from commerce.orders.models import Order, OrderStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_twelve_buyers_for_four_units_make_four_paid_orders(product_index):
    figures = checkout_race(buyers=12, stock=4)

    assert figures["correct"], figures
    assert (figures["orders"], figures["out_of_stock"], figures["stock_left"]) == (4, 8, 0)
    paid = Order.objects.filter(items__product__slug=RACE_PRODUCT_SLUG, status=OrderStatus.PAID)
    assert paid.count() == 4
