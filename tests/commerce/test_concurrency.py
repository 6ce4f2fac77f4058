"""Shoppers racing, on real concurrent database connections: checkouts for the same stock,
and edits of one cart."""

import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from commerce.cart.carts import CustomerCart, SessionCart, add_to_cart
from commerce.checkout.place_order import CheckoutError, place_order
from commerce.orders.models import Order, OrderStatus
from products.models import ProductPage
from tests.factories import DELIVERY, make_customer, make_product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and has no row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_twenty_buyers_racing_for_five_units_make_exactly_five_orders(
    product_index, run_together
):
    product = make_product(product_index, "Last Few", price="100.00", stock=5)
    customers = [make_customer(f"buyer{number}") for number in range(20)]
    for customer in customers:
        add_to_cart(CustomerCart(customer), product.pk, 1)

    results = run_together(
        [
            lambda customer=customer: place_order(
                customer, DELIVERY, "cod", uuid.uuid4(), expected_total=Decimal("100.00")
            )
            for customer in customers
        ]
    )

    orders = [result for result in results if isinstance(result, Order)]
    refusals = [result for result in results if isinstance(result, CheckoutError)]
    assert len(orders) == 5
    assert len(refusals) == 15
    assert all("Last Few is out of stock" in refusal.message for refusal in refusals)
    assert ProductPage.objects.get(pk=product.pk).stock == 0
    assert Order.objects.exclude(status=OrderStatus.CART).count() == 5
    assert Order.objects.filter(status=OrderStatus.CART).count() == 15


def test_the_same_checkout_submitted_twice_at_once_makes_one_order(
    product_index, run_together
):
    product = make_product(product_index, "Popular", price="100.00", stock=10)
    customer = make_customer()
    add_to_cart(CustomerCart(customer), product.pk, 2)
    token = uuid.uuid4()

    results = run_together(
        [lambda: place_order(customer, DELIVERY, "cod", token, expected_total=Decimal("200.00"))
         for _ in range(2)]
    )

    assert all(isinstance(result, Order) for result in results), results
    assert results[0].pk == results[1].pk
    assert Order.objects.exclude(status=OrderStatus.CART).count() == 1
    assert ProductPage.objects.get(pk=product.pk).stock == 8


def anonymous_shopper(product):
    """A Client with a session cart holding one `product`, and a way to make more like it."""
    client = Client()
    client.post("/cart/add/", {"product": product.pk, "quantity": 1})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    def same_browser():
        tab = Client()
        tab.cookies[settings.SESSION_COOKIE_NAME] = cookie
        return tab

    return client, same_browser


def add_in_tab(tab, product):
    response = tab.post("/cart/add/", {"product": product.pk, "quantity": 1}, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_twenty_adds_at_once_in_one_session_all_count(product_index, run_together):
    laptop = make_product(product_index, "Popular Laptop", price="100.00")
    client, same_browser = anonymous_shopper(laptop)
    tabs = [same_browser() for _ in range(20)]

    results = run_together([lambda tab=tab: add_in_tab(tab, laptop) for tab in tabs])

    assert all(result == ["Added 1 × Popular Laptop to your cart."] for result in results), \
        results
    assert SessionCart(client.session).quantities() == {laptop.pk: 21}


def test_ten_different_products_added_at_once_in_one_session_make_ten_more_lines(
    product_index, run_together
):
    first = make_product(product_index, "First", price="10.00")
    others = [make_product(product_index, f"Other {n}", price="10.00") for n in range(10)]
    client, same_browser = anonymous_shopper(first)

    run_together([lambda product=product: add_in_tab(same_browser(), product)
                  for product in others])

    expected = {first.pk: 1, **{product.pk: 1 for product in others}}
    assert SessionCart(client.session).quantities() == expected
    assert '<span class="cart-count">11</span>' in client.get("/").content.decode()


def test_ten_adds_at_once_to_a_customers_cart_all_count(product_index, run_together):
    laptop = make_product(product_index, "Popular Laptop", price="100.00")
    customer = make_customer()

    results = run_together(
        [lambda: add_to_cart(CustomerCart(customer), laptop.pk, 1) for _ in range(10)]
    )

    assert all(not isinstance(result, Exception) for result in results), results
    assert CustomerCart(customer).quantities() == {laptop.pk: 10}
    assert Order.objects.get(customer=customer, status=OrderStatus.CART).total == \
        Decimal("800.00")  # ten at 100.00, less the bulk discount
