"""Voucher codes: entered in the cart, refused with the reason, never stacked with the bulk
discount (the better one applies), checked again and counted at checkout, given back on
cancellation, and listed with their uses for marketers."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commerce import pricing
from commerce.cart.carts import CustomerCart, SessionCart, add_to_cart
from commerce.checkout.payment_flow import PaymentNotTaken
from commerce.checkout.place_order import CheckoutError, Guest, place_order
from commerce.checkout.reservations import back_to_cart
from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.payments.testcard import CardDetails, TestCardGateway
from commerce.promotions.models import Voucher, VoucherKind
from commerce.promotions.vouchers import voucher_uses
from home.shared import fixed_lookups
from home.shared.roles import MARKETERS
from tests.factories import (
    DELIVERY,
    cart_total,
    make_customer,
    make_product,
    make_staff_in_role,
)

pytestmark = pytest.mark.django_db

BULK = pricing.DiscountRule(threshold=3, percentage=Decimal("20"))


def make_voucher(code="SAVE10", value="10", **fields):
    return Voucher.objects.create(code=code, value=Decimal(value), **fields)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def enter_code(client, code):
    return client.post("/cart/voucher/", {"code": code}, follow=True)


@pytest.fixture
def shopper(client, customer, work_laptop):
    """A signed-in customer's client with 2 × $100 in the cart."""
    add_to_cart(CustomerCart(customer), work_laptop.pk, 2)
    client.force_login(customer.user)
    return client


def with_code(customer, product, quantity, code="SAVE10"):
    """`customer`'s cart with `quantity` × `product` and voucher `code` entered."""
    cart = CustomerCart(customer)
    add_to_cart(cart, product.pk, quantity)
    with cart.editing():
        cart.set_voucher_code(code)


def buy(customer):
    """Place `customer`'s cart, cash on delivery, at the total it shows."""
    return place_order(
        customer, DELIVERY, "cod", uuid.uuid4(), expected_total=cart_total(customer)
    )


# The stacking rule, in commerce.pricing.

def test_three_units_are_below_the_bulk_threshold_so_the_voucher_applies():
    voucher = pricing.VoucherTerms("SAVE10", percentage=Decimal("10"))
    totals = pricing.price_lines([(Decimal("100.00"), 3)], BULK, voucher=voucher)
    assert totals.discount == Decimal("30.00")
    assert totals.discount_name == "Voucher SAVE10"
    assert totals.voucher == voucher
    assert totals.total == Decimal("270.00")


def test_at_four_units_the_bulk_discount_wins_over_a_smaller_voucher_and_says_so():
    voucher = pricing.VoucherTerms("SAVE10", percentage=Decimal("10"))
    totals = pricing.price_lines([(Decimal("100.00"), 4)], BULK, voucher=voucher)
    assert totals.discount == Decimal("80.00")
    assert totals.discount_name == "Bulk discount (20% off, saves more than voucher SAVE10)"
    assert totals.voucher is None
    assert totals.total == Decimal("320.00")


def test_at_four_units_a_bigger_voucher_wins_over_the_bulk_discount_and_says_so():
    voucher = pricing.VoucherTerms("BIG", amount_off=Decimal("100.00"))
    totals = pricing.price_lines([(Decimal("100.00"), 4)], BULK, voucher=voucher)
    assert totals.discount == Decimal("100.00")
    assert totals.discount_name == "Voucher BIG (saves more than the bulk discount)"
    assert totals.total == Decimal("300.00")


def test_on_a_tie_the_bulk_discount_applies_so_no_use_of_the_code_is_spent():
    voucher = pricing.VoucherTerms("TWENTY", percentage=Decimal("20"))
    totals = pricing.price_lines([(Decimal("100.00"), 4)], BULK, voucher=voucher)
    assert totals.discount == Decimal("80.00")
    assert totals.voucher is None
    assert totals.discount_name == "Bulk discount (20% off, saves as much as voucher TWENTY)"


def test_a_fixed_voucher_never_takes_more_than_the_subtotal():
    voucher = pricing.VoucherTerms("HUGE", amount_off=Decimal("500.00"))
    totals = pricing.price_lines([(Decimal("100.00"), 1)], BULK, voucher=voucher)
    assert totals.discount == Decimal("100.00")
    assert totals.total == Decimal("0.00")


def test_a_voucher_gives_nothing_once_the_cart_falls_below_its_minimum():
    voucher = pricing.VoucherTerms("MIN", percentage=Decimal("10"), minimum=Decimal("200"))
    assert pricing.price_lines([(Decimal("100.00"), 1)], BULK, voucher=voucher).discount == 0
    assert pricing.price_lines([(Decimal("100.00"), 2)], BULK, voucher=voucher).discount == (
        Decimal("20.00")
    )


# Entering a code in the cart.

def test_a_code_entered_in_any_case_is_kept_on_the_cart_and_priced(shopper, customer):
    make_voucher()
    response = enter_code(shopper, "  save10 ")
    assert "Voucher SAVE10 was added to your cart." in messages_of(response)
    html = response.content.decode()
    assert "Voucher SAVE10</dt><dd>−$20.00" in html
    assert "Remove code" in html
    cart = CustomerCart(customer).current_order()
    assert cart.voucher_code == "SAVE10"
    assert (cart.discount, cart.discount_name, cart.total) == (
        Decimal("20.00"), "Voucher SAVE10", Decimal("180.00")
    )


def test_a_code_switched_off_is_no_longer_applied_on_the_next_page_of_any_worker(
    shopper, customer
):
    voucher = make_voucher()
    enter_code(shopper, "SAVE10")
    assert "Voucher SAVE10</dt><dd>−$20.00" in shopper.get("/cart/").content.decode()
    other_worker_memory = dict(fixed_lookups._held)

    voucher.active = False
    voucher.save()
    fixed_lookups._held.update(other_worker_memory)  # a worker that held the voucher as it was

    html = shopper.get("/cart/").content.decode()
    assert "(no longer valid: it is not applied)" in html
    assert "−$20.00" not in html


def test_remove_code_takes_the_voucher_off(shopper, customer):
    make_voucher()
    enter_code(shopper, "SAVE10")
    response = shopper.post("/cart/voucher/remove/", follow=True)
    assert "The voucher code was removed from your cart." in messages_of(response)
    assert "Remove code" not in response.content.decode()
    cart = CustomerCart(customer).current_order()
    assert (cart.voucher_code, cart.discount, cart.total) == ("", 0, Decimal("200.00"))


def test_entering_a_code_is_post_only(shopper):
    assert shopper.get("/cart/voucher/").status_code == 405


NOW = timezone.now()


@pytest.mark.parametrize(
    ("fields", "typed", "message"),
    [
        ({}, "NOPE", "There is no voucher NOPE: check the code."),
        ({"active": False}, "SAVE10", "Voucher SAVE10 is no longer valid."),
        ({"ends_at": NOW - datetime.timedelta(days=1)}, "SAVE10", "Voucher SAVE10 has expired."),
        ({"starts_at": NOW + datetime.timedelta(days=2)}, "SAVE10",
         "Voucher SAVE10 is not valid yet: it starts on"),
        ({"minimum_order": Decimal("250")}, "SAVE10",
         "Voucher SAVE10 is for orders of $250.00 or more; your cart comes to $200.00."),
    ],
    ids=["unknown", "inactive", "expired", "not-started", "below-minimum"],
)
def test_a_refused_code_says_why_and_changes_nothing(shopper, customer, fields, typed, message):
    make_voucher(**fields)
    response = enter_code(shopper, typed)
    assert any(text.startswith(message) for text in messages_of(response)), messages_of(response)
    cart = CustomerCart(customer).current_order()
    assert (cart.voucher_code, cart.discount, cart.total) == ("", 0, Decimal("200.00"))


def test_a_used_up_code_is_refused(shopper, customer, work_laptop):
    voucher = make_voucher(usage_limit=1)
    other = make_customer("grace", "Grace Hopper")
    with_code(other, work_laptop, 1)
    buy(other)
    assert voucher_uses(voucher).count() == 1

    response = enter_code(shopper, "SAVE10")
    assert "Voucher SAVE10 has been used up." in messages_of(response)
    assert CustomerCart(customer).current_order().voucher_code == ""


def test_a_code_used_up_by_this_customer_is_refused_to_them_only(shopper, customer, work_laptop):
    make_voucher(per_customer_limit=1)
    enter_code(shopper, "SAVE10")
    buy(customer)

    add_to_cart(CustomerCart(customer), work_laptop.pk, 2)
    response = enter_code(shopper, "SAVE10")
    assert (
        "You have already used voucher SAVE10: it can be used once per customer."
        in messages_of(response)
    )
    other = make_customer("grace", "Grace Hopper")
    add_to_cart(CustomerCart(other), work_laptop.pk, 1)
    shopper.force_login(other.user)
    assert "Voucher SAVE10 was added to your cart." in messages_of(enter_code(shopper, "SAVE10"))


def test_a_guests_code_survives_logging_in(client, customer, work_laptop):
    make_voucher()
    client.post("/cart/add/", {"product": work_laptop.pk, "quantity": 1})
    enter_code(client, "save10")
    assert SessionCart(client.session).voucher_code() == "SAVE10"

    client.post("/accounts/login/", {"username": "ada", "password": "shop-test-pass"})

    cart = CustomerCart(customer).current_order()
    assert (cart.voucher_code, cart.discount) == ("SAVE10", Decimal("10.00"))


# Checkout.

def test_checkout_records_the_voucher_and_the_discount_it_gave(shopper, customer):
    voucher = make_voucher()
    enter_code(shopper, "SAVE10")
    order = buy(customer)
    order.refresh_from_db()
    assert (order.voucher, order.voucher_code, order.discount, order.discount_name) == (
        voucher, "SAVE10", Decimal("20.00"), "Voucher SAVE10"
    )
    assert order.total == Decimal("180.00")
    assert ("Voucher SAVE10", Decimal("-20.00")) in pricing.stored_total_rows(order)


def test_an_order_the_bulk_discount_beat_does_not_use_the_code(shopper, customer, work_laptop):
    voucher = make_voucher(usage_limit=1)
    enter_code(shopper, "SAVE10")
    add_to_cart(CustomerCart(customer), work_laptop.pk, 2)  # 4 units: 20% beats 10%
    order = buy(customer)
    assert (order.voucher, order.voucher_code, order.discount) == (None, "", Decimal("80.00"))
    assert voucher_uses(voucher).count() == 0


def test_checkout_refuses_a_code_that_expired_since_it_was_entered(shopper, customer):
    voucher = make_voucher()
    enter_code(shopper, "SAVE10")
    total = cart_total(customer)
    Voucher.objects.filter(pk=voucher.pk).update(ends_at=timezone.now())
    with pytest.raises(CheckoutError, match="Voucher SAVE10 has expired. Remove the code"):
        place_order(customer, DELIVERY, "cod", uuid.uuid4(), expected_total=total)
    assert CustomerCart(customer).current_order().status == OrderStatus.CART


def test_a_guest_email_may_use_a_code_only_as_often_as_the_limit(work_laptop):
    make_voucher(per_customer_limit=1)

    def guest_checkout():
        session = SessionStore()
        cart = SessionCart(session)
        add_to_cart(cart, work_laptop.pk, 1)
        with cart.editing():
            cart.set_voucher_code("SAVE10")
        return place_order(
            Guest(session, email="Grace@Example.com", name="Grace"), DELIVERY, "cod",
            uuid.uuid4(), expected_total=cart.contents().totals.total,
        )

    assert guest_checkout().discount == Decimal("10.00")
    with pytest.raises(CheckoutError, match="You have already used voucher SAVE10"):
        guest_checkout()


def test_a_cancelled_order_gives_its_use_back(shopper, customer, work_laptop):
    voucher = make_voucher(usage_limit=1)
    enter_code(shopper, "SAVE10")
    order = buy(customer)
    assert voucher_uses(voucher).count() == 1

    change_status(order, OrderStatus.CANCELLED)

    assert voucher_uses(voucher).count() == 0
    add_to_cart(CustomerCart(customer), work_laptop.pk, 1)
    assert "Voucher SAVE10 was added to your cart." in messages_of(enter_code(shopper, "SAVE10"))


def test_leaving_an_unpaid_order_puts_its_code_back_in_the_cart(shopper, customer, work_laptop):
    voucher = make_voucher(usage_limit=1)
    enter_code(shopper, "SAVE10")
    declined = CardDetails(TestCardGateway.DECLINED_NUMBER, 12, timezone.now().year + 1, "123")
    with pytest.raises(PaymentNotTaken) as unpaid:
        place_order(customer, DELIVERY, "card", uuid.uuid4(), card=declined,
                    expected_total=cart_total(customer))
    assert voucher_uses(voucher).count() == 1

    back_to_cart(unpaid.value.order)

    cart = CustomerCart(customer).current_order()
    assert (cart.voucher_code, cart.discount) == ("SAVE10", Decimal("20.00"))
    assert voucher_uses(voucher).count() == 0


def test_a_guest_leaving_an_unpaid_order_gets_the_code_back_too(work_laptop):
    make_voucher()
    session = SessionStore()
    cart = SessionCart(session)
    add_to_cart(cart, work_laptop.pk, 1)
    with cart.editing():
        cart.set_voucher_code("SAVE10")
    declined = CardDetails(TestCardGateway.DECLINED_NUMBER, 12, timezone.now().year + 1, "123")
    with pytest.raises(PaymentNotTaken) as unpaid:
        place_order(Guest(session, email="grace@example.com", name="Grace"), DELIVERY, "card",
                    uuid.uuid4(), card=declined, expected_total=cart.contents().totals.total)

    back_to_cart(unpaid.value.order, session)

    assert SessionCart(session).voucher_code() == "SAVE10"
    assert SessionCart(session).contents().totals.discount == Decimal("10.00")


# Marketers.

def test_marketers_see_each_codes_uses_and_discount_and_export_them(
    client, shopper, customer
):
    make_voucher(kind=VoucherKind.FIXED, value="15.00")
    enter_code(shopper, "SAVE10")
    buy(customer)
    client.force_login(make_staff_in_role(MARKETERS))

    listing = client.get("/admin/promotions/vouchers/").content.decode()
    assert "SAVE10" in listing
    assert "$15.00" in listing

    export = client.get("/admin/promotions/vouchers/?export=csv")
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert rows[0].endswith("Used,Discounted")
    assert rows[1].startswith("SAVE10,")
    assert rows[1].endswith(",1,15.00")


# Concurrent checkouts, on PostgreSQL's row locks.

@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers and has no row locks",
)
@pytest.mark.django_db(transaction=True)
def test_a_code_limited_to_three_uses_makes_exactly_three_orders_under_a_race(
    product_index, run_together
):
    voucher = make_voucher(usage_limit=3)
    product = make_product(product_index, "Racing Laptop", price="100.00")
    customers = [make_customer(f"racer{number}") for number in range(10)]
    for customer in customers:
        with_code(customer, product, 1)

    results = run_together([lambda customer=customer: buy(customer) for customer in customers])

    refusals = [result for result in results if isinstance(result, CheckoutError)]
    placed = [result for result in results if not isinstance(result, Exception)]
    assert len(placed) == 3, results
    assert len(refusals) == 7
    assert all("Voucher SAVE10 has been used up." in refusal.message for refusal in refusals)
    assert voucher_uses(voucher).count() == 3
    assert all(order.discount == Decimal("10.00") for order in placed)


def test_marketers_preview_a_code_as_shoppers_will_read_it(staff_client):
    client = staff_client(MARKETERS)
    url = reverse("wagtailsnippets_commerce_voucher:preview_on_add")
    form = {
        "code": " spring15 ", "kind": VoucherKind.PERCENTAGE, "value": "15",
        "minimum_order": "200.00", "starts_at": "", "ends_at": "", "usage_limit": "",
        "per_customer_limit": "1", "active": "on",
    }

    assert client.post(url, form).json()["is_valid"]
    html = client.get(url).content.decode()

    assert "15% off your order" in html and "Code: <strong>SPRING15</strong>" in html
    assert "on orders of $200.00 or more" in html
    assert "On a cart of $200.00 it takes off $30.00" in html
    assert "Not shown in the Current offers block: tick Public" in html
    assert not Voucher.objects.exists()


def test_the_preview_says_when_a_code_would_be_refused(staff_client):
    voucher = make_voucher(ends_at=timezone.now() - datetime.timedelta(days=1))
    client = staff_client(MARKETERS)
    url = reverse("wagtailsnippets_commerce_voucher:preview_on_edit", args=[voucher.pk])
    form = {"code": "SAVE10", "kind": VoucherKind.FIXED, "value": "25.00",
            "ends_at": timezone.localtime(voucher.ends_at).strftime("%Y-%m-%d %H:%M"),
            "active": "on"}

    assert client.post(url, form).json()["is_valid"]
    html = client.get(url).content.decode()

    assert "A shopper entering the code now is told: “Voucher SAVE10 has expired.”" in html
    assert "On a cart of $100.00 it takes off $25.00" in html

