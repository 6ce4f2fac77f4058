"""Shipping and tax as a shopper meets them: the cart's estimate, choosing a method at
checkout, "Update totals", and the placed order keeping what it was charged."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.orders.models import Order, OrderStatus
from commerce.shipping.models import ShippingMethod, TaxRate
from tests.factories import (
    DELIVERY,
    make_placed_order,
    make_product,
    make_shipping_method,
    make_tax_rate,
)

pytestmark = pytest.mark.django_db

CASH = {"payment_method": "cod"}


@pytest.fixture
def laptop(product_index):
    # The factory's products weigh 1.40 kg.
    return make_product(product_index, "Travel Laptop", price="100.00", stock=20)


@pytest.fixture
def no_weight(product_index):
    return make_product(product_index, "Sleeve", price="20.00", features=[("brand", "Acme")])


@pytest.fixture
def standard():
    return make_shipping_method("Standard", flat_price="5.00", price_per_kg="2.00", sort_order=0)


@pytest.fixture
def express():
    return make_shipping_method("Express", flat_price="25.00", sort_order=1)


@pytest.fixture
def pickup():
    return make_shipping_method("Pickup in Portland", flat_price="0.00", states=["OR"],
                                sort_order=2)


def cart_of(customer, product, units):
    add_to_cart(CustomerCart(customer), product.pk, units)


def placed(customer):
    return Order.objects.filter(customer=customer).exclude(status=OrderStatus.CART)


def checkout_post(client, **fields):
    form = client.get("/checkout/").context["form"]
    data = {
        "checkout_token": form["checkout_token"].value(),
        "expected_total": form["expected_total"].value(),
        **DELIVERY, **CASH, **fields,
    }
    return client.post("/checkout/", data)


def test_per_kg_rate_uses_each_products_weight(customer_client, customer, laptop, standard):
    cart_of(customer, laptop, 2)  # 2 × 1.40 kg

    order = make_placed_order(customer, shipping_method=standard)

    assert order.shipping == Decimal("10.60")  # 5.00 + 2.00 × 2.8 kg
    assert order.shipping_method_name == "Standard"


def test_a_product_without_a_weight_counts_as_the_default_weight(
    customer, no_weight, standard
):
    order = make_placed_order(customer, (no_weight, 3), shipping_method=standard)

    assert order.shipping == Decimal("11.00")  # 5.00 + 2.00 × 3 × 1.00 kg (default)


def test_free_shipping_above_the_threshold(customer, laptop):
    free_from_300 = make_shipping_method(flat_price="9.00", free_above="300.00")

    cheap = make_placed_order(customer, (laptop, 2), shipping_method=free_from_300)
    dear = make_placed_order(customer, (laptop, 3), shipping_method=free_from_300)

    assert (cheap.shipping, dear.shipping) == (Decimal("9.00"), Decimal("0.00"))


def test_tax_of_the_destination_with_and_without_shipping_taxed(customer, laptop, express):
    make_tax_rate("IL", "6.250", taxes_shipping=False)
    make_tax_rate("TX", "6.250", taxes_shipping=True)

    illinois = make_placed_order(customer, (laptop, 1), shipping_method=express)
    texas = make_placed_order(
        customer, (laptop, 1), shipping_method=express, delivery={**DELIVERY, "state": "tx"}
    )

    assert (illinois.tax, illinois.total) == (Decimal("6.25"), Decimal("131.25"))
    assert (texas.tax, texas.total) == (Decimal("7.81"), Decimal("132.81"))
    assert (texas.tax_rate, texas.tax_on_shipping) == (Decimal("6.250"), True)


def test_a_state_without_a_rate_pays_no_tax(customer, laptop, express):
    make_tax_rate("CA", "7.250")

    order = make_placed_order(customer, (laptop, 1), shipping_method=express)

    assert (order.tax, order.tax_rate, order.total) == (
        Decimal("0.00"), Decimal("0"), Decimal("125.00")
    )


def test_a_method_that_does_not_serve_the_state_is_refused_with_a_field_error(
    customer_client, customer, laptop, standard, pickup
):
    cart_of(customer, laptop, 1)

    response = checkout_post(customer_client, shipping_method=pickup.pk)

    assert response.status_code == 200
    assert response.context["form"].errors["shipping_method"] == [
        "Pickup in Portland does not ship to IL: choose another method."
    ]
    assert not placed(customer).exists()


def test_checkout_lists_the_methods_serving_the_state_with_price_and_estimate(
    customer_client, customer, laptop, standard, express, pickup
):
    cart_of(customer, laptop, 1)

    page = customer_client.post(
        "/checkout/", {**DELIVERY, "update_totals": "1", "checkout_token": uuid.uuid4()}
    ).content.decode()

    assert "Standard: $7.80 (3–5 business days)" in page
    assert "Express: $25.00 (3–5 business days)" in page
    assert "Pickup in Portland" not in page


def test_update_totals_shows_shipping_and_tax_and_places_nothing(
    customer_client, customer, laptop, standard, express
):
    make_tax_rate("TX", "8.000", taxes_shipping=True)
    cart_of(customer, laptop, 1)
    token = str(uuid.uuid4())

    response = customer_client.post("/checkout/", {
        **DELIVERY, "state": "TX", "shipping_method": express.pk, "checkout_token": token,
        "update_totals": "1", "card_number": "4242 4242 4242 4242",
    })

    assert response.status_code == 200
    assert not placed(customer).exists()
    totals = response.context["cart"].totals
    assert (totals.shipping, totals.tax, totals.total) == (
        Decimal("25.00"), Decimal("10.00"), Decimal("135.00")
    )
    form = response.context["form"]
    assert form["expected_total"].value() == Decimal("135.00")
    assert form["checkout_token"].value() == token
    assert not form.errors
    page = response.content.decode()
    assert "Shipping (Express)" in page and "Place order: $135.00" in page
    assert "4242" not in page

    # Placing with the total shown places the order at that total.
    data = {**DELIVERY, "state": "TX", "shipping_method": express.pk, "checkout_token": token,
            "expected_total": "135.00", **CASH}
    customer_client.post("/checkout/", data)
    assert placed(customer).get().total == Decimal("135.00")


def test_a_total_that_changed_with_shipping_is_refused_with_the_new_total(
    customer_client, customer, laptop, standard
):
    cart_of(customer, laptop, 1)
    form = customer_client.get("/checkout/").context["form"]
    assert form["expected_total"].value() == Decimal("107.80")
    ShippingMethod.objects.filter(pk=standard.pk).update(flat_price=Decimal("15.00"))

    response = checkout_post(customer_client, expected_total="107.80",
                             shipping_method=standard.pk)

    assert not placed(customer).exists()
    assert "The total of your order is now $117.80, not $107.80" in (
        response.context["form"].non_field_errors()[0]
    )
    assert response.context["form"]["expected_total"].value() == "117.80"


def test_a_placed_order_keeps_its_shipping_and_tax_after_rates_change(
    customer_client, customer, laptop, standard
):
    rate = make_tax_rate("IL", "5.000", taxes_shipping=True)
    order = make_placed_order(customer, (laptop, 1), shipping_method=standard)
    charged = (order.shipping, order.tax, order.total)

    ShippingMethod.objects.filter(pk=standard.pk).update(flat_price=Decimal("50.00"), name="X")
    TaxRate.objects.filter(pk=rate.pk).update(rate=Decimal("10.000"))
    order.refresh_from_db()
    item = order.items.get()
    item.save()  # a change to a placed order's line does not reprice it

    order.refresh_from_db()
    assert charged == (Decimal("7.80"), Decimal("5.39"), Decimal("113.19"))
    assert (order.shipping, order.tax, order.total, order.shipping_method_name) == (
        *charged, "Standard"
    )
    page = customer_client.get(order.get_absolute_url()).content.decode()
    assert "Shipping (Standard)" in page and "$7.80" in page
    assert "Sales tax (5%)" in page and "$5.39" in page


def test_shipping_and_tax_appear_in_the_confirmation_email(
    customer, laptop, standard, django_capture_on_commit_callbacks
):
    make_tax_rate("IL", "5.000")

    with django_capture_on_commit_callbacks(execute=True):
        make_placed_order(customer, (laptop, 1), shipping_method=standard)

    text = mail.outbox[-1].body
    assert "Shipping (Standard): $7.80" in text
    assert "Sales tax (5%): $5.00" in text
    assert "Total: $112.80" in text


def test_without_any_shipping_method_orders_ship_free(customer_client, customer, laptop):
    cart_of(customer, laptop, 1)

    page = customer_client.get("/checkout/").content.decode()
    checkout_post(customer_client)

    assert "Shipping is free." in page
    order = placed(customer).get()
    assert (order.shipping, order.total) == (Decimal("0.00"), Decimal("100.00"))


def test_the_cart_estimates_shipping_from_the_cheapest_method_while_the_state_is_unknown(
    client, laptop, standard, express
):
    client.post("/cart/add/", {"product": laptop.pk, "quantity": 1})

    page = client.get("/cart/").content.decode()

    assert "from $7.80" in page
    assert "at checkout, for your state" in page


def test_the_cart_estimates_shipping_and_tax_for_the_last_checkout_state(
    customer_client, customer, laptop, standard, express
):
    make_tax_rate("IL", "10.000")
    make_placed_order(customer, (laptop, 1), shipping_method=express)
    cart_of(customer, laptop, 1)

    response = customer_client.get("/cart/")

    totals = response.context["cart"].totals
    assert (totals.shipping, totals.tax, totals.total) == (
        Decimal("7.80"), Decimal("10.00"), Decimal("117.80")
    )
    assert "Shipping (Standard)" in response.content.decode()
