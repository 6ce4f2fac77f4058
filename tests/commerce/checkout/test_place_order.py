import datetime
import logging
import re
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.checkout.models import CheckoutDetail
from commerce.checkout.place_order import CheckoutError, order_number, place_order
from commerce.orders.models import Order, OrderStatus
from commerce.payments.cash_on_delivery import CashOnDelivery
from commerce.payments.gateways import PaymentResult
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.payments.testcard import TestCardGateway
from products.models import ProductPage
from tests.factories import (
    DELIVERY,
    TEST_CARD,
    make_customer,
    make_placed_order,
    make_product,
    put_on_shelf,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = datetime.date.today().year + 1
GOOD_CARD = {
    "payment_method": "card",
    "card_number": "4242 4242 4242 4242",
    "card_expiry": f"12/{NEXT_YEAR % 100:02d}",
    "card_cvc": "938",
}
DECLINED_CARD = {**GOOD_CARD, "card_number": "4000 0000 0000 0002"}
CASH = {"payment_method": "cod"}


@pytest.fixture
def stocked_laptop(product_index):
    return make_product(product_index, "Stocked Laptop", price="100.00", stock=10)


@pytest.fixture
def cart_of_four(customer, stocked_laptop):
    add_to_cart(CustomerCart(customer), stocked_laptop.pk, 4)
    return stocked_laptop


def checkout_form(client):
    """GET the checkout page and return the form data it hands out (token and total)."""
    form = client.get("/checkout/").context["form"]
    return {
        "checkout_token": form["checkout_token"].value(),
        "expected_total": form["expected_total"].value(),
    }


def submit(client, payment=CASH, **overrides):
    data = {**checkout_form(client), **DELIVERY, **payment, **overrides}
    return client.post("/checkout/", data)


def placed_orders(customer):
    return Order.objects.filter(customer=customer).exclude(status=OrderStatus.CART)


def test_checkout_asks_anonymous_shoppers_to_log_in_when_guest_checkout_is_off(
    client, guest_checkout_off
):
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/checkout/"


def test_login_page_offers_sign_up_that_comes_back_to_checkout(client, work_laptop):
    client.post("/cart/add/", {"product": work_laptop.pk, "quantity": 2})
    login_page = client.get("/accounts/login/?next=/checkout/").content.decode()
    assert 'href="/accounts/signup/?next=/checkout/"' in login_page

    response = client.post(
        "/accounts/signup/?next=/checkout/",
        {
            "next": "/checkout/",
            "username": "newbie",
            "name": "New Buyer",
            "email": "newbie@example.com",
            "phone": "555.987.6543",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/checkout/"
    checkout = client.get("/checkout/")
    assert checkout.status_code == 200
    assert "Place order: $200.00" in checkout.content.decode()


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(customer_client):
    response = customer_client.get("/checkout/", follow=True)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Your cart is empty: add something before checking out." in response.content.decode()


def test_checkout_shows_field_errors_and_keeps_what_was_typed(customer_client, customer,
                                                              cart_of_four):
    response = submit(customer_client, address="", zip_code="ABCDE", phone="555-1234")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["address"] == ["This field is required."]
    assert form.errors["zip_code"] == ["Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789."]
    assert form.errors["phone"] == ["Enter a 10-digit phone number, for example 555-123-4567."]
    html = response.content.decode()
    assert 'value="Springfield"' in html
    assert 'aria-invalid="true"' in html
    assert not placed_orders(customer).exists()


def test_paying_by_card_requires_the_card_fields(customer_client, customer, cart_of_four):
    response = submit(customer_client, payment={"payment_method": "card"})
    errors = response.context["form"].errors
    assert errors["card_number"] == ["Enter this to pay by card."]
    assert errors["card_expiry"] == ["Enter this to pay by card."]
    assert errors["card_cvc"] == ["Enter the 3-digit security code (CVC) from your card."]
    assert not placed_orders(customer).exists()


def test_card_checkout_places_a_paid_order(customer_client, customer, cart_of_four,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(customer_client, payment=GOOD_CARD)

    order = placed_orders(customer).get()
    assert response.status_code == 302
    assert response["Location"] == f"/checkout/thank-you/{order.number}/"
    assert order.status == OrderStatus.PAID
    assert re.fullmatch(r"\d{8}-\d{6}", order.number)
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("400.00"), Decimal("80.00"), Decimal("320.00")
    )
    item = order.items.get()
    assert (item.product_name, item.unit_price, item.quantity) == (
        "Stocked Laptop", Decimal("100.00"), 4
    )
    detail = order.checkout_detail
    assert (detail.payment_method, detail.payment_status) == ("card", PaymentStatus.AUTHORISED)
    assert (detail.card_brand, detail.card_last4) == ("Visa", "4242")
    assert detail.payment_token.startswith("test_")
    assert (detail.amount_authorised, detail.amount_captured, detail.amount_refunded) == (
        Decimal("320.00"), Decimal("320.00"), Decimal("0.00")
    )
    assert (detail.address, detail.zip_code, detail.phone) == (
        "1 Market Street", "62701", "5551234567"
    )
    assert (order.billing_name, order.billing_email, order.billing_address) == (
        customer.name, customer.email, "1 Market Street\nSpringfield, Illinois 62701"
    )
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 6
    assert len(mail.outbox) == 1

    page = customer_client.get(response["Location"]).content.decode()
    assert "Thank you for your order" in page
    assert order.number in page
    assert "−$80.00" in page and "$320.00" in page
    assert "Visa ending 4242" in page
    assert '<span class="cart-count">0</span>' in page


def test_cash_on_delivery_places_an_order_with_payment_pending(customer_client, customer,
                                                               cart_of_four):
    submit(customer_client, payment=CASH)
    order = placed_orders(customer).get()
    assert order.status == OrderStatus.PLACED
    assert order.checkout_detail.payment_status == PaymentStatus.PENDING
    assert order.checkout_detail.payment_method == PaymentMethod.CASH_ON_DELIVERY


def test_a_declined_card_keeps_the_order_awaiting_payment_on_its_pay_page(
    customer_client, customer, cart_of_four
):
    response = submit(customer_client, payment=DECLINED_CARD)

    order = placed_orders(customer).get()
    assert response["Location"] == f"/checkout/pay/{order.number}/"
    page = customer_client.get(response["Location"])
    html = page.content.decode()
    assert (
        "Your card was declined by the bank. Nothing was charged: try another card, "
        "or choose cash on delivery."
    ) in html
    assert "4000 0000 0000 0002" not in html and "938" not in html
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 6  # held for the order
    assert order.checkout_detail.payment_status == PaymentStatus.PENDING
    assert order.checkout_detail.card_last4 == ""

    retry = customer_client.post(response["Location"], GOOD_CARD)
    assert retry["Location"] == f"/checkout/thank-you/{order.number}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.checkout_detail.card_last4 == "4242"


def test_stock_shortfall_is_refused_with_the_units_left(customer_client, customer,
                                                        cart_of_four):
    put_on_shelf(cart_of_four, 3)

    response = submit(customer_client, expected_total="320.00")

    assert response.context["form"].non_field_errors() == [
        "Sorry, only 3 of Stocked Laptop are left. Lower the quantity or remove it from your "
        "cart; nothing was ordered or charged."
    ]
    assert not placed_orders(customer).exists()
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 3


def test_double_submit_places_one_order(customer_client, customer, cart_of_four,
                                        django_capture_on_commit_callbacks):
    data = {**checkout_form(customer_client), **DELIVERY, **GOOD_CARD}

    with django_capture_on_commit_callbacks(execute=True):
        first = customer_client.post("/checkout/", data)
        second = customer_client.post("/checkout/", data)

    order = placed_orders(customer).get()
    assert first["Location"] == second["Location"] == f"/checkout/thank-you/{order.number}/"
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 6
    assert len(mail.outbox) == 1


def test_resubmitting_an_old_checkout_page_does_not_order_the_new_cart(
    customer_client, customer, cart_of_four, stocked_laptop
):
    data = {**checkout_form(customer_client), **DELIVERY, **CASH}
    first = customer_client.post("/checkout/", data)
    add_to_cart(CustomerCart(customer), stocked_laptop.pk, 1)  # a new cart

    again = customer_client.post("/checkout/", data)  # the back button, then submit

    assert again["Location"] == first["Location"]
    assert placed_orders(customer).count() == 1
    assert customer.orders.get(status=OrderStatus.CART).items.get().quantity == 1


def test_a_new_checkout_after_an_order_places_a_second_one(customer_client, customer,
                                                           cart_of_four, stocked_laptop):
    submit(customer_client)
    add_to_cart(CustomerCart(customer), stocked_laptop.pk, 1)
    submit(customer_client)
    assert placed_orders(customer).count() == 2


@pytest.mark.parametrize(("price", "now"), [("110.00", "352.00"), ("90.00", "288.00")])
def test_a_price_change_after_the_page_was_shown_is_not_charged_silently(
    customer_client, customer, cart_of_four, price, now
):
    shown = checkout_form(customer_client)
    cart_of_four.price = Decimal(price)
    cart_of_four.save_revision().publish()

    response = customer_client.post("/checkout/", {**shown, **DELIVERY, **CASH})

    assert response.context["form"].non_field_errors() == [
        f"The total of your order is now ${now}, not $320.00: a price, the discount, the shipping "
        "or the tax changed since you opened this page. Check your order and place it again."
    ]
    assert not placed_orders(customer).exists()
    retry = customer_client.post("/checkout/", response.context["form"].data)
    assert retry.status_code == 302
    assert placed_orders(customer).get().total == Decimal(now)


def test_a_checkout_without_the_total_seen_is_refused_with_the_total_now_due(
    customer_client, customer, work_laptop
):
    add_to_cart(CustomerCart(customer), work_laptop.pk, 1)
    shown = checkout_form(customer_client)
    del shown["expected_total"]
    work_laptop.price = Decimal("180.00")
    work_laptop.save_revision().publish()

    response = customer_client.post("/checkout/", {**shown, **DELIVERY, **CASH})

    assert response.context["form"].non_field_errors() == [
        "The total of your order is $180.00. Check your order and place it again; nothing "
        "was ordered or charged."
    ]
    assert "Place order: $180.00" in response.content.decode()
    assert not placed_orders(customer).exists()
    retry = customer_client.post("/checkout/", response.context["form"].data)
    assert retry.status_code == 302
    assert placed_orders(customer).get().total == Decimal("180.00")


def test_placing_an_order_without_the_total_seen_places_nothing(customer, cart_of_four):
    with pytest.raises(CheckoutError, match=r"The total of your order is \$320\.00\."):
        place_order(customer, DELIVERY, "cod", uuid.uuid4(), expected_total=None)

    assert not placed_orders(customer).exists()
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 10


def test_a_product_withdrawn_before_checkout_is_not_silently_dropped(
    customer_client, customer, cart_of_four, product_index
):
    mouse = make_product(product_index, "Mouse", price="20.00")
    add_to_cart(CustomerCart(customer), mouse.pk, 1)
    shown = checkout_form(customer_client)
    mouse.unpublish()

    response = customer_client.post("/checkout/", {**shown, **DELIVERY, **CASH})

    assert response.context["form"].non_field_errors() == [
        "Sorry, Mouse is no longer for sale. Remove it from your cart to continue."
    ]
    assert not placed_orders(customer).exists()


def test_an_expired_checkout_token_asks_to_submit_again(customer_client, customer, cart_of_four):
    response = submit(customer_client, checkout_token="not-a-token")
    assert "This checkout page had expired." in response.content.decode()
    assert not placed_orders(customer).exists()
    retry = customer_client.post("/checkout/", response.context["form"].data)
    assert retry.status_code == 302


def test_no_card_number_or_cvc_is_stored_or_logged(customer_client, customer, cart_of_four,
                                                   caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    shown = checkout_form(customer_client)
    card = {**GOOD_CARD, "card_number": "378282246310005", "card_cvc": "7391"}

    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        customer_client.post("/checkout/", {**shown, **DELIVERY, **card})

    assert placed_orders(customer).get().checkout_detail.card_last4 == "0005"
    database = "\n".join(
        str(row) for model in apps.get_models() for row in model.objects.values()
    )
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    emails = "\n".join(
        message.body + str(message.alternatives) for message in mail.outbox
    )
    for text in (database, sql, caplog.text, emails):
        assert "378282246310005" not in text
        assert "3782 822463" not in text
        assert not re.search(r"(?<!\d)7391(?!\d)", text)


def test_confirmation_email_lists_lines_discount_and_total(customer_client, customer,
                                                           cart_of_four, product_index,
                                                           django_capture_on_commit_callbacks):
    cable = make_product(product_index, "USB-C Cable & Adapter", price="9.99")
    add_to_cart(CustomerCart(customer), cable.pk, 2)

    with django_capture_on_commit_callbacks(execute=True):
        submit(customer_client, payment=GOOD_CARD)

    order = placed_orders(customer).get()
    (email,) = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == f"Your Storefront order {order.number}"
    text = email.body
    assert "4 x Stocked Laptop at $100.00: $400.00" in text
    assert "2 x USB-C Cable & Adapter at $9.99: $19.98" in text
    assert "Subtotal: $419.98" in text
    assert "Bulk discount (20% off): -$84.00" in text
    assert "Total: $335.98" in text
    assert "Visa ending 4242" in text
    assert f"http://testserver/accounts/orders/{order.number}/" in text
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "USB-C Cable &amp; Adapter" in html
    assert "−$84.00" in html
    assert "<dt>Total</dt><dd>$335.98</dd>" in html
    assert "1 Market Street" in html


def test_no_confirmation_email_without_a_customer_address(customer, cart_of_four,
                                                          django_capture_on_commit_callbacks):
    customer.email = ""
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        order = make_placed_order(customer)  # the cart of four
    assert order.status == OrderStatus.PLACED
    assert mail.outbox == []


class RecordingGateway(CashOnDelivery):
    """A stand-in for a provider's gateway, plugged in through settings."""

    label = "Pay later with Example Pay"
    calls_provider = True
    authorised = []

    def authorise(self, amount, reference, card=None):
        # The amount, and the transactions open while "calling out" (the test's own only).
        self.authorised.append((amount, len(connection.atomic_blocks)))
        return PaymentResult(status=PaymentStatus.AUTHORISED, token=f"ex_{uuid.uuid4().hex}")


def test_a_gateway_can_be_plugged_in_through_settings(customer_client, customer, cart_of_four,
                                                      settings):
    settings.SHOP_PAYMENT_GATEWAYS = {
        "cod": "tests.commerce.checkout.test_place_order.RecordingGateway"
    }

    page = customer_client.get("/checkout/").content.decode()
    tests_own_transactions = len(connection.atomic_blocks)
    assert "Pay later with Example Pay" in page
    # Card fields only when a gateway takes the card on this form (not Stripe, not this one).
    assert "Card number" not in page
    submit(customer_client, payment=CASH)

    assert RecordingGateway.authorised == [(Decimal("320.00"), tests_own_transactions)]
    order = placed_orders(customer).get()
    assert order.status == OrderStatus.PAID
    assert order.checkout_detail.payment_token.startswith("ex_")


def cart_of(customer, product_index, lines):
    cart = CustomerCart(customer)
    for number in range(lines):
        product = make_product(
            product_index, f"{customer.user.username} item {number}", price="10.00", stock=50
        )
        add_to_cart(cart, product.pk, 4 if number == 0 else 1)


def test_placing_a_large_order_takes_no_more_queries_than_a_small_one(
    customer, product_index, django_assert_max_num_queries
):
    cart_of(customer, product_index, 5)
    with CaptureQueriesContext(connection) as five_lines:
        place_order(customer, DELIVERY, "cod", uuid.uuid4(), expected_total=Decimal("64.00"))
    big_buyer = make_customer("big-buyer")
    cart_of(big_buyer, product_index, 40)

    with django_assert_max_num_queries(len(five_lines)):
        order = place_order(
            big_buyer, DELIVERY, "cod", uuid.uuid4(), expected_total=Decimal("344.00")
        )

    # Recalculated once, from scratch: 40 lines, 43 units at 10.00, 20% off for the 4.
    order.refresh_from_db()
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("430.00"), Decimal("86.00"), Decimal("344.00")
    )
    assert order.items.filter(unit_price=Decimal("10.00")).count() == 40
    assert ProductPage.objects.filter(stock=49).count() == 43


NEW_YORK_DAY_BOUNDARY = [
    # 21:30 on 14 March in New York (EDT, UTC-4) is already the 15th in UTC.
    (datetime.datetime(2026, 3, 15, 1, 30, tzinfo=datetime.UTC), "20260314"),
    (datetime.datetime(2026, 3, 15, 3, 59, 59, tzinfo=datetime.UTC), "20260314"),
    (datetime.datetime(2026, 3, 15, 4, 0, tzinfo=datetime.UTC), "20260315"),
]


@pytest.mark.parametrize(("placed_at", "day"), NEW_YORK_DAY_BOUNDARY)
def test_order_numbers_carry_the_date_in_the_shops_time_zone(settings, placed_at, day):
    settings.TIME_ZONE = "America/New_York"
    assert order_number(Order(pk=42), placed_at) == f"{day}-000042"


def test_an_evening_order_in_new_york_is_numbered_the_day_its_invoice_shows(
    customer, cart_of_four, settings, monkeypatch
):
    settings.TIME_ZONE = "America/New_York"
    evening = datetime.datetime(2026, 3, 15, 1, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: evening)

    order = make_placed_order(customer, (cart_of_four, 1))

    assert order.number.startswith("20260314-")


def test_order_numbers_of_one_day_never_repeat():
    day = datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
    numbers = {order_number(Order(pk=pk), day) for pk in range(1, 3002)}
    assert len(numbers) == 3001
    assert order_number(Order(pk=12345678), day) == "20260314-12345678"


def test_a_card_authorised_for_an_order_whose_payment_then_fails_to_save_is_voided(
    customer, cart_of_four, monkeypatch
):
    voided = []
    monkeypatch.setattr(TestCardGateway, "void", lambda self, payment: voided.append(payment))

    def saving_fails(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("commerce.checkout.payment_flow.move_awaiting_order", saving_fails)

    with pytest.raises(RuntimeError):
        place_order(customer, DELIVERY, "card", uuid.uuid4(), card=TEST_CARD,
                    expected_total=Decimal("320.00"))

    assert [(payment.status, payment.amount_captured) for payment in voided] == [
        (PaymentStatus.AUTHORISED, Decimal("320.00"))
    ]
    order = placed_orders(customer).get()
    assert order.status == OrderStatus.AWAITING_PAYMENT  # still payable, its stock held
    assert order.checkout_detail.payment_token == ""
    assert ProductPage.objects.get(pk=cart_of_four.pk).stock == 6


def test_cash_on_delivery_records_nothing_taken_until_the_courier_collects(
    customer, cart_of_four
):
    order = make_placed_order(customer, payment_method="cod")

    detail = CheckoutDetail.objects.get(order=order)
    assert (detail.payment_status, detail.amount_authorised, detail.amount_captured) == (
        PaymentStatus.PENDING, Decimal("0.00"), Decimal("0.00")
    )
