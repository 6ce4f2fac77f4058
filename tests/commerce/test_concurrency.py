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
from tests.factories import DELIVERY, make_customer, make_product, make_variants, variant_of

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
    assert SessionCart(client.session).quantities() == {variant_of(laptop).pk: 21}


def test_ten_different_products_added_at_once_in_one_session_make_ten_more_lines(
    product_index, run_together
):
    first = make_product(product_index, "First", price="10.00")
    others = [make_product(product_index, f"Other {n}", price="10.00") for n in range(10)]
    client, same_browser = anonymous_shopper(first)

    run_together([lambda product=product: add_in_tab(same_browser(), product)
                  for product in others])

    expected = {variant_of(first).pk: 1, **{variant_of(product).pk: 1 for product in others}}
    assert SessionCart(client.session).quantities() == expected
    assert '<span class="cart-count">11</span>' in client.get("/").content.decode()


def test_ten_adds_at_once_to_a_customers_cart_all_count(product_index, run_together):
    laptop = make_product(product_index, "Popular Laptop", price="100.00")
    customer = make_customer()

    results = run_together(
        [lambda: add_to_cart(CustomerCart(customer), laptop.pk, 1) for _ in range(10)]
    )

    assert all(not isinstance(result, Exception) for result in results), results
    assert CustomerCart(customer).quantities() == {variant_of(laptop).pk: 10}
    assert Order.objects.get(customer=customer, status=OrderStatus.CART).total == \
        Decimal("800.00")  # ten at 100.00, less the bulk discount


def test_buyers_racing_for_two_configurations_sell_each_variants_stock_exactly(
    product_index, run_together
):
    product = make_product(product_index, "Two Configs", price="100.00")
    small, large = make_variants(
        product,
        {"sku": "TWO-16", "ram_gb": 16, "stock": 3},
        {"sku": "TWO-32", "ram_gb": 32, "stock": 4},
    )
    # Half want one configuration, half the other; some want both, in either order, so that
    # the variant rows are locked in a deterministic order or the checkouts would deadlock.
    customers = []
    for number in range(16):
        customer = make_customer(f"config-buyer{number}")
        wanted = [small, large] if number % 2 else [large, small]
        for variant in wanted[: 1 + number % 3 // 2]:
            add_to_cart(CustomerCart(customer), product.pk, 1, variant.pk)
        customers.append(customer)

    results = run_together(
        [
            lambda customer=customer: place_order(
                customer, DELIVERY, "cod", uuid.uuid4(),
                expected_total=CustomerCart(customer).contents().totals.total,
            )
            for customer in customers
        ]
    )

    orders = [result for result in results if isinstance(result, Order)]
    errors = [result for result in results if not isinstance(result, (Order, CheckoutError))]
    assert errors == []
    sold = {small.pk: 0, large.pk: 0}
    for order in orders:
        for item in order.items.all():
            sold[item.variant_id] += item.quantity
    assert sold == {small.pk: 3, large.pk: 4}
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.stock, large.stock) == (0, 0)
    assert ProductPage.objects.get(pk=product.pk).stock == 0
