"""Thirty shoppers racing for five units, each reservation paid through localstripe."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.place_order import CheckoutError, place_order
from commerce.checkout.stripe_payment import PAID, settle_intent, start_payment
from commerce.orders.models import Order, OrderStatus
from commerce.payments.gateways import configured_gateways
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


def test_thirty_buyers_for_five_units_end_in_five_paid_orders(
    product_index, run_together, fake_stripe
):
    product = make_product(product_index, "Last Five", price="100.00", stock=5)
    customers = [make_customer(f"racer{number}") for number in range(30)]
    for customer in customers:
        add_to_cart(CustomerCart(customer), product.pk, 1)

    def buy(customer):
        order = place_order(customer, DELIVERY, "card", uuid.uuid4(),
                            expected_total=Decimal("100.00"))
        gateway = configured_gateways()["card"]
        intent = start_payment(order, gateway)
        fake_stripe.pay(intent["id"], "4242424242424242")
        return settle_intent(order, gateway.retrieve_intent(intent["id"]), gateway)

    results = run_together([lambda customer=customer: buy(customer) for customer in customers])

    refusals = [result for result in results if isinstance(result, CheckoutError)]
    settled = [result for result in results if not isinstance(result, Exception)]
    assert len(refusals) == 25, [r for r in results if isinstance(r, Exception)]
    assert [settlement.state for settlement in settled] == [PAID] * 5
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 5
    assert ProductPage.objects.get(pk=product.pk).stock == 0
