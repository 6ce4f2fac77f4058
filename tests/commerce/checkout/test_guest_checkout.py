"""Guest checkout: a shopper without an account orders with an email address, opens the order
from the browser that placed it or the signed link in the confirmation email, and the order
joins their account once they confirm that address."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from wagtail.models import Site

from commerce.checkout.models import CheckoutDetail
from commerce.customers.accounts import confirm_email, send_email_confirmation
from commerce.orders.guest_orders import order_link_token
from commerce.orders.models import Order, OrderStatus
from home.shared.roles import MARKETERS
from products.models import ProductPage
from tests.commerce.checkout.test_place_order import CASH, GOOD_CARD, checkout_form
from tests.factories import DELIVERY, make_customer, make_product, make_staff_in_role, put_on_shelf

pytestmark = pytest.mark.django_db

GUEST = {"name": "Grace Guest", "email": "Grace.Guest@example.com"}


@pytest.fixture
def stocked_laptop(product_index):
    return make_product(product_index, "Stocked Laptop", price="100.00", stock=10)


@pytest.fixture
def guest_with_cart(client, stocked_laptop):
    client.post("/cart/add/", {"product": stocked_laptop.pk, "quantity": 4})
    return client


def submit_as_guest(client, payment=CASH, form=None, **overrides):
    data = {**(form or checkout_form(client)), **GUEST, **DELIVERY, **payment, **overrides}
    return client.post("/checkout/", data)


def place_as_guest(client, captured, payment=CASH):
    with captured(execute=True):
        response = submit_as_guest(client, payment)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Order.objects.not_carts().get(), response


def emailed_links(message):
    """The order page and invoice links of a confirmation email, as paths with their query."""
    links = re.findall(r"http://testserver(/\S+\?key=\S+)", message.body)
    return {("invoice" if ".pdf" in link else "order"): link for link in links}


def test_guest_checkout_page_asks_for_name_and_email_and_offers_log_in(guest_with_cart):
    page = guest_with_cart.get("/checkout/").content.decode()
    assert 'name="email"' in page and 'name="name"' in page
    assert 'href="/accounts/login/?next=/checkout/"' in page


def test_customer_checkout_page_asks_no_email(customer_client, customer, stocked_laptop):
    customer_client.post("/cart/add/", {"product": stocked_laptop.pk, "quantity": 1})
    page = customer_client.get("/checkout/").content.decode()
    assert 'name="email"' not in page


def test_a_guest_needs_an_email_address(guest_with_cart):
    response = submit_as_guest(guest_with_cart, email="not-an-address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Order.objects.not_carts().exists()


def test_guest_order_end_to_end(guest_with_cart, stocked_laptop,
                                django_capture_on_commit_callbacks, settings):
    settings.SHOP_BASE_URL = "http://testserver"
    order, response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)

    # Placed like a customer's order: stock taken, prices snapshotted, bulk discount applied.
    assert response["Location"] == f"/checkout/thank-you/{order.number}/"
    assert order.customer is None and order.status == OrderStatus.PLACED
    assert (order.billing_name, order.billing_email) == ("Grace Guest", GUEST["email"])
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("400.00"), Decimal("80.00"), Decimal("320.00")
    )
    assert order.items.get().unit_price == Decimal("100.00")
    assert ProductPage.objects.get(pk=stocked_laptop.pk).stock == 6
    assert CheckoutDetail.objects.get(order=order).zip_code == "62701"
    assert guest_with_cart.get("/cart/").context["cart"].is_empty

    confirmation = guest_with_cart.get(response["Location"]).content.decode()
    assert order.number in confirmation
    assert "Create an account" in confirmation
    assert "/accounts/signup/?name=Grace+Guest&amp;email=Grace.Guest%40example.com" in confirmation

    message = mail.outbox[-1]
    assert message.to == [GUEST["email"]]
    links = emailed_links(message)
    assert set(links) == {"order", "invoice"}

    # Another browser, with nothing but the email.
    elsewhere = Client()
    page = elsewhere.get(links["order"])
    assert page.status_code == 200
    assert order.number in page.content.decode()
    invoice = elsewhere.get(links["invoice"])
    assert invoice.status_code == 200
    assert invoice["Content-Type"] == "application/pdf"
    # Once opened by the link, that browser finds the order again without it.
    assert elsewhere.get(order.get_absolute_url()).status_code == 200


def test_the_browser_that_placed_a_guest_order_opens_it_and_its_invoice(
    guest_with_cart, django_capture_on_commit_callbacks
):
    order, _response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)
    assert guest_with_cart.get(order.get_absolute_url()).status_code == 200
    assert guest_with_cart.get(f"{order.get_absolute_url()}invoice.pdf").status_code == 200


def test_another_browser_without_the_link_gets_404(guest_with_cart,
                                                   django_capture_on_commit_callbacks):
    order, _response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)
    stranger = Client()
    assert stranger.get(order.get_absolute_url()).status_code == 404
    assert stranger.get(f"{order.get_absolute_url()}invoice.pdf").status_code == 404
    assert stranger.get(f"/checkout/thank-you/{order.number}/").status_code == 404


def test_a_signed_in_customer_cannot_open_a_guest_order_without_its_link(
    guest_with_cart, customer, django_capture_on_commit_callbacks
):
    order, _response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)
    other_browser = Client()
    other_browser.force_login(customer.user)
    assert other_browser.get(order.get_absolute_url()).status_code == 404


def test_the_link_opens_its_own_order_and_no_other(product_index, stocked_laptop,
                                                  django_capture_on_commit_callbacks):
    first, second = Client(), Client()
    orders = []
    for shopper in (first, second):
        shopper.post("/cart/add/", {"product": stocked_laptop.pk, "quantity": 1})
        with django_capture_on_commit_callbacks(execute=True):
            submit_as_guest(shopper)
        orders.append(Order.objects.not_carts().latest("pk"))
    mine, theirs = orders
    my_token = order_link_token(mine)
    stranger = Client()

    assert stranger.get(f"{mine.get_absolute_url()}?key={my_token}").status_code == 200
    # My token on their order, a tampered token, a guessed number: all 404.
    assert stranger.get(f"{theirs.get_absolute_url()}?key={my_token}").status_code == 404
    assert stranger.get(
        f"/accounts/orders/{theirs.number}/invoice.pdf?key={my_token}"
    ).status_code == 404
    tampered = my_token[:-2] + ("AA" if not my_token.endswith("AA") else "BB")
    assert Client().get(f"{mine.get_absolute_url()}?key={tampered}").status_code == 404
    assert Client().get(f"{mine.get_absolute_url()}?key=").status_code == 404
    guessed = f"{mine.number[:9]}{mine.pk + 100:06d}"
    assert Client().get(f"/accounts/orders/{guessed}/?key={my_token}").status_code == 404
    assert Client().get(f"/accounts/orders/{guessed}/").status_code in (302, 404)
    # Opening my order never gave this browser theirs.
    assert stranger.get(theirs.get_absolute_url()).status_code == 404


def test_the_link_expires_after_the_configured_days(guest_with_cart, settings,
                                                    django_capture_on_commit_callbacks):
    order, _response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)
    token = order_link_token(order)
    assert Client().get(f"{order.get_absolute_url()}?key={token}").status_code == 200
    settings.SHOP_GUEST_ORDER_LINK_DAYS = -1
    assert Client().get(f"{order.get_absolute_url()}?key={token}").status_code == 404


def test_a_customers_order_link_asks_to_log_in_not_for_a_token(customer, stocked_laptop):
    from tests.factories import make_placed_order

    order = make_placed_order(customer, (stocked_laptop, 1))
    response = Client().get(order.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # A guest's link never opens a customer's order, even a token signed for it.
    token = order_link_token(order)
    assert Client().get(f"{order.get_absolute_url()}?key={token}").status_code == 404


def test_a_double_submit_makes_one_guest_order(guest_with_cart, stocked_laptop,
                                               django_capture_on_commit_callbacks):
    form = checkout_form(guest_with_cart)
    with django_capture_on_commit_callbacks(execute=True):
        first = submit_as_guest(guest_with_cart, form=form)
        second = submit_as_guest(guest_with_cart, form=form)
    order = Order.objects.not_carts().get()
    assert first["Location"] == second["Location"] == f"/checkout/thank-you/{order.number}/"
    assert ProductPage.objects.get(pk=stocked_laptop.pk).stock == 6
    assert len(mail.outbox) == 1


def test_a_refused_guest_checkout_keeps_the_cart(guest_with_cart, stocked_laptop):
    put_on_shelf(stocked_laptop, 2)
    response = submit_as_guest(guest_with_cart)
    assert response.status_code == 200
    assert "only 2" in response.content.decode().lower()
    assert not Order.objects.exists()
    assert guest_with_cart.get("/cart/").context["cart"].lines[0].quantity == 4


def test_guest_checkout_off_sends_visitors_to_log_in(guest_with_cart, guest_checkout_off):
    response = guest_with_cart.get("/checkout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/checkout/"
    posted = submit_as_guest(guest_with_cart, form={"checkout_token": "x"})
    assert posted["Location"] == "/accounts/login/?next=/checkout/"
    assert not Order.objects.not_carts().exists()


def test_a_guest_pays_by_card_through_the_test_card_gateway(
    guest_with_cart, django_capture_on_commit_callbacks
):
    order, response = place_as_guest(
        guest_with_cart, django_capture_on_commit_callbacks, payment=GOOD_CARD
    )
    assert response["Location"] == f"/checkout/thank-you/{order.number}/"
    assert order.status == OrderStatus.PAID
    detail = order.checkout_detail
    assert (detail.card_last4, detail.amount_captured) == ("4242", Decimal("320.00"))
    assert guest_with_cart.get(response["Location"]).status_code == 200


def test_a_guest_whose_card_is_declined_pays_on_the_pay_page(
    guest_with_cart, django_capture_on_commit_callbacks
):
    declined = {**GOOD_CARD, "card_number": "4000 0000 0000 0002"}
    order, response = place_as_guest(
        guest_with_cart, django_capture_on_commit_callbacks, payment=declined
    )
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert response["Location"] == f"/checkout/pay/{order.number}/"
    assert guest_with_cart.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404
    card = {name: value for name, value in GOOD_CARD.items() if name != "payment_method"}
    with django_capture_on_commit_callbacks(execute=True):
        paid = guest_with_cart.post(response["Location"], card)
    assert paid["Location"] == f"/checkout/thank-you/{order.number}/"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_guest_going_back_to_the_cart_gets_their_lines_back(
    guest_with_cart, django_capture_on_commit_callbacks
):
    declined = {**GOOD_CARD, "card_number": "4000 0000 0000 0002"}
    order, _response = place_as_guest(
        guest_with_cart, django_capture_on_commit_callbacks, payment=declined
    )
    response = guest_with_cart.post(f"/checkout/pay/{order.number}/back-to-cart/")
    assert response["Location"] == "/cart/"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert guest_with_cart.get("/cart/").context["cart"].lines[0].quantity == 4


def test_guest_orders_attach_only_once_the_account_confirms_the_address(
    guest_with_cart, django_capture_on_commit_callbacks
):
    order, _response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)
    account = make_customer("grace", "Grace Guest", email="grace.guest@EXAMPLE.com")
    someone_else = make_customer("other", "Other Person", email="other@example.com")

    # Signed up with the same address but not confirmed yet: the order is not theirs.
    client = Client()
    client.force_login(account.user)
    assert client.get("/accounts/orders/").context["orders"].paginator.count == 0
    assert client.get(order.get_absolute_url()).status_code == 404

    # Confirming another address attaches nothing to that account.
    send_email_confirmation(someone_else, "other@example.com")
    confirm_email(confirmation_token(mail.outbox[-1]))
    assert Order.objects.get(pk=order.pk).customer is None

    send_email_confirmation(account, account.email)
    confirm_email(confirmation_token(mail.outbox[-1]))
    order.refresh_from_db()
    assert order.customer == account
    assert order.checkout_detail.customer == account
    assert client.get(order.get_absolute_url()).status_code == 200
    assert client.get("/accounts/orders/").context["orders"].paginator.count == 1


def confirmation_token(message):
    return urlsplit(re.search(r"https?://\S+/confirm-email/(\S+)/", message.body).group(0)).path \
        .rstrip("/").rsplit("/", 1)[-1]


def test_a_marketer_switches_guest_checkout_off_in_the_settings(guest_with_cart):
    marketer = Client()
    marketer.force_login(make_staff_in_role(MARKETERS))
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/commerce/checkoutsettings/{site.pk}/"
    assert "Guest checkout on" in marketer.get(url).content.decode()

    # The guest checkout box unticked; the return window is a required number.
    assert marketer.post(url, {"return_window_days": "30"}).status_code == 302

    response = guest_with_cart.get("/checkout/")
    assert response["Location"] == "/accounts/login/?next=/checkout/"


def test_a_guest_whose_confirmation_could_not_be_emailed_gets_the_link_on_the_page(
    guest_with_cart, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.support.email_backends.BrokenSMTPBackend"
    settings.SHOP_BASE_URL = "http://testserver"
    order, response = place_as_guest(guest_with_cart, django_capture_on_commit_callbacks)

    page = guest_with_cart.get(response["Location"]).content.decode()

    assert "we could not email you a confirmation" in page
    assert "under your orders" not in page
    link = re.search(r'href="http://testserver(/accounts/orders/[^"]+\?key=[^"]+)"', page).group(1)
    assert Client().get(link.replace("&amp;", "&")).status_code == 200
