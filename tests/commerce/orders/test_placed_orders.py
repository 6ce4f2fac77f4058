"""What counts as a placed order, for each page that lists or counts orders."""

import pytest
from django.urls import reverse

from commerce.orders.models import Order, OrderStatus
from tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each_status(customer, laptop):
    return {status: make_order(customer, [laptop], status=status) for status in OrderStatus}


def statuses(orders):
    return {order.status for order in orders}


def test_placed_orders_are_placed_paid_shipped_or_completed_never_carts_or_cancelled(
    one_of_each_status,
):
    assert statuses(Order.objects.placed()) == {
        OrderStatus.PLACED,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
    }


def test_carts_are_only_carts(one_of_each_status):
    assert statuses(Order.objects.carts()) == {OrderStatus.CART}


def test_every_order_past_the_cart_includes_the_cancelled_ones(one_of_each_status):
    assert statuses(Order.objects.not_carts()) == set(OrderStatus) - {OrderStatus.CART}


def test_a_customers_order_history_still_lists_their_cancelled_order(
    customer_client, customer, laptop
):
    cancelled = make_order(customer, [laptop], status=OrderStatus.CANCELLED)
    make_order(customer, [laptop], status=OrderStatus.CART)

    response = customer_client.get(reverse("commerce:order_list"))

    assert [order.number for order in response.context["orders"]] == [cancelled.number]
    assert customer_client.get(cancelled.get_absolute_url()).status_code == 200


def test_the_customer_list_counts_a_cancelled_order_as_one_they_placed(
    admin_client, customer, laptop
):
    make_order(customer, [laptop], status=OrderStatus.CANCELLED)
    make_order(customer, [laptop], status=OrderStatus.PAID)

    response = admin_client.get(reverse("wagtailsnippets_commerce_customer:list"))

    assert [row.orders_placed for row in response.context["object_list"]] == [2]
