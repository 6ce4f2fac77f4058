"""Checkout and the address book: the default pre-fills, a saved address can be chosen
without retyping it, and a new one can be saved."""

from decimal import Decimal

import pytest

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.models import CheckoutDetail
from commerce.customers.addresses import add_address
from commerce.orders.models import Order, OrderStatus
from tests.commerce.checkout.test_place_order import CASH, checkout_form, submit
from tests.factories import (
    DELIVERY,
    make_customer,
    make_order,
    make_product,
    make_shipping_method,
    make_tax_rate,
)

pytestmark = pytest.mark.django_db

HOME = {
    "recipient_name": "Ada Lovelace", "address": "12 Analytical Row", "address_line2": "Flat 3",
    "city": "Portland", "state": "OR", "zip_code": "97201-1234", "country": "US",
    "phone": "5559876543",
}


@pytest.fixture
def cart(customer, product_index):
    add_to_cart(CustomerCart(customer), make_product(product_index, price="50.00").pk, 1)


def placed_detail(customer):
    order = Order.objects.get(customer=customer, status=OrderStatus.PLACED)
    return order, order.checkout_detail


def test_checkout_prefills_from_the_default_address_and_offers_the_book(
    customer_client, customer, cart
):
    add_address(customer, **{**HOME, "address": "9 Other Street"})
    home = add_address(customer, make_default=True, **HOME)

    response = customer_client.get("/checkout/")

    form = response.context["form"]
    assert form["address"].value() == "12 Analytical Row"
    assert (form["state"].value(), form["zip_code"].value()) == ("OR", "97201-1234")
    assert form["saved_address"].value() == str(home.pk)
    html = response.content.decode()
    assert "9 Other Street" in html
    assert "A new address (below)" in html
    assert "Save this address to my address book" in html


def test_with_an_empty_book_checkout_prefills_from_the_last_order(
    customer_client, customer, cart
):
    make_order(customer, status=OrderStatus.PLACED, checkout=True, address="3 Last Lane")

    form = customer_client.get("/checkout/").context["form"]

    assert form["address"].value() == "3 Last Lane"
    assert "saved_address" not in form.fields


def test_choosing_a_saved_address_places_the_order_to_it_without_retyping(
    customer_client, customer, cart
):
    add_address(customer, **DELIVERY, recipient_name="Ada")
    home = add_address(customer, **HOME)
    blank = dict.fromkeys(["address", "city", "state", "zip_code", "phone"], "")

    response = customer_client.post(
        "/checkout/",
        {**checkout_form(customer_client), **CASH, **blank, "saved_address": home.pk},
    )

    assert response.status_code == 302
    order, detail = placed_detail(customer)
    assert (detail.address, detail.address_line2, detail.city, detail.state, detail.zip_code,
            detail.phone) == ("12 Analytical Row", "Flat 3", "Portland", "OR", "97201-1234",
                              "5559876543")
    assert order.billing_address == "12 Analytical Row\nFlat 3\nPortland, Oregon 97201-1234"
    assert customer.addresses.count() == 2


def test_what_is_typed_under_a_chosen_saved_address_is_ignored(customer_client, customer, cart):
    home = add_address(customer, **HOME)

    response = submit(customer_client, saved_address=home.pk, zip_code="ABC", state="Nowhere")

    assert response.status_code == 302, response.context["form"].errors
    assert placed_detail(customer)[1].zip_code == "97201-1234"


def test_a_new_address_needs_its_fields_even_with_a_book(customer_client, customer, cart):
    add_address(customer, **HOME)

    response = submit(customer_client, saved_address="new", address="", state="")

    form = response.context["form"]
    assert form.errors["address"] == ["This field is required."]
    assert form.errors["state"] == ["This field is required."]
    assert not CheckoutDetail.objects.exists()


def test_someone_elses_saved_address_cannot_be_chosen(customer_client, customer, cart):
    add_address(customer, **DELIVERY, recipient_name="Ada")
    hers = add_address(make_customer("grace", "Grace Hopper"), **HOME)

    response = submit(customer_client, saved_address=hers.pk)

    assert response.status_code == 200
    assert "saved_address" in response.context["form"].errors
    assert not CheckoutDetail.objects.exists()


def test_save_this_address_adds_the_new_address_to_the_book_once(
    customer_client, customer, cart, product_index
):
    response = submit(customer_client, save_address="on", address_line2="Unit 5")

    assert response.status_code == 302
    saved = customer.addresses.get()
    assert (saved.recipient_name, saved.address, saved.address_line2, saved.state,
            saved.is_default) == (customer.name, "1 Market Street", "Unit 5", "IL", True)

    add_to_cart(CustomerCart(customer), make_product(product_index, "Again").pk, 1)
    submit(customer_client, save_address="on", saved_address="new", address_line2="Unit 5")
    assert customer.addresses.count() == 1


def test_a_new_address_is_not_saved_unless_asked(customer_client, customer, cart):
    submit(customer_client)
    assert placed_detail(customer)[1].address == "1 Market Street"
    assert not customer.addresses.exists()


@pytest.mark.parametrize("state", ["Oregon", "ZZ", ""])
def test_checkout_refuses_a_state_that_is_not_one(customer_client, customer, cart, state):
    response = submit(customer_client, state=state)

    assert "state" in response.context["form"].errors
    assert not CheckoutDetail.objects.exists()


def test_order_page_shows_the_state_by_name(customer_client, customer, cart):
    submit(customer_client, address_line2="Unit 5", zip_code="62701-0001")
    order, _detail = placed_detail(customer)

    html = customer_client.get(order.get_absolute_url()).content.decode()

    assert "1 Market Street<br>Unit 5<br>Springfield, Illinois 62701-0001" in html


def test_a_chosen_saved_address_is_shipped_and_taxed_by_its_own_state(
    customer_client, customer, cart
):
    # Illinois (typed below) is taxed; Oregon (the saved address) has the pickup method only.
    make_shipping_method("Standard", flat_price="9.00", states=["IL"])
    pickup = make_shipping_method("Portland pickup", flat_price="0.00", states=["OR"])
    make_tax_rate("IL", "6.250")
    home = add_address(customer, **HOME)
    typed_illinois = {**DELIVERY, "saved_address": home.pk, "shipping_method": pickup.pk}

    shown = customer_client.post(
        "/checkout/", {**checkout_form(customer_client), **CASH, **typed_illinois,
                       "update_totals": "1"},
    )
    assert [label for _pk, label in shown.context["form"].fields["shipping_method"].choices] == [
        "Portland pickup: free (3–5 business days)"
    ]
    assert shown.context["cart"].totals.total == Decimal("50.00")  # no Illinois tax

    response = customer_client.post(
        "/checkout/", {**checkout_form(customer_client), **CASH, **typed_illinois,
                       "expected_total": "50.00"},
    )

    assert response.status_code == 302, response.context["form"].errors
    order, detail = placed_detail(customer)
    assert (detail.state, order.shipping_method_name, order.tax, order.total) == (
        "OR", "Portland pickup", Decimal("0.00"), Decimal("50.00")
    )
