"""What customers hear when staff move their order: it shipped, or it was cancelled."""

import pytest
from django.core import mail
from django.utils.html import strip_tags

from commerce.orders.models import OrderStatus
from commerce.orders.status import StatusChangeRefused, change_status
from commerce.payments.gateways import RefundFailed
from commerce.payments.models import PaymentStatus
from commerce.payments.testcard import TestCardGateway
from config.env import tasks_config
from tests.factories import make_order, make_placed_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the status change queues for after its commit (the email)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def text_and_html(message):
    return message.body, message.alternatives[0][0]


def test_a_shipped_order_tells_the_customer_where_it_is_going(customer, laptop, committed):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    with committed():
        change_status(order, OrderStatus.SHIPPED)

    (email,) = mail.outbox
    assert email.to == [customer.email]
    assert email.subject == f"Your Storefront order {order.number} has shipped"
    for body in text_and_html(email):
        assert "1 Market Street" in body
        assert order.get_absolute_url() in body
        assert "pay on delivery" not in body


def test_a_cash_on_delivery_order_that_shipped_says_how_much_to_have_ready(
    customer, product_index, committed
):
    workstation = make_product(product_index, "Workstation", price="1500.00")
    order = make_placed_order(customer, (workstation, 1))

    with committed():
        change_status(order, OrderStatus.SHIPPED)

    (email,) = mail.outbox
    for body in text_and_html(email):
        assert "Please have $1,500.00 ready for the courier" in strip_tags(body)


def test_a_cancelled_card_order_says_the_payment_was_given_back(customer, laptop, committed):
    order = make_order(customer, [(laptop, 1)], checkout=True)

    with committed():
        change_status(order, OrderStatus.CANCELLED)

    (email,) = mail.outbox
    assert email.subject == f"Your Storefront order {order.number} was cancelled"
    for body in text_and_html(email):
        assert "given back" in body and "Visa ending 4242" in body
        assert f"${order.total:,.2f}" in body


def test_a_cancelled_cash_on_delivery_order_says_no_card_was_charged(
    customer, laptop, committed
):
    order = make_order(customer, [(laptop, 1)], checkout=True, payment_method="cod",
                       payment_status=PaymentStatus.PENDING)

    with committed():
        change_status(order, OrderStatus.CANCELLED)

    (email,) = mail.outbox
    assert "no card was charged" in email.body
    assert "given back" not in email.body


def test_a_cancellation_the_provider_refuses_tells_the_customer_nothing(
    customer, laptop, committed, monkeypatch
):
    def refuse(self, token, amount, idempotency_key):
        raise RefundFailed("The provider is down.")

    monkeypatch.setattr(TestCardGateway, "refund", refuse)
    order = make_order(customer, [(laptop, 1)], checkout=True)

    with committed(), pytest.raises(StatusChangeRefused, match="The provider is down."):
        change_status(order, OrderStatus.CANCELLED)

    assert mail.outbox == []



def thank_you_page(client, order):
    client.force_login(order.customer.user)
    return client.get(f"/checkout/thank-you/{order.number}/").content.decode()


def test_the_thank_you_page_says_the_confirmation_was_emailed_once_it_was(
    client, customer, laptop, committed
):
    with committed():
        order = make_placed_order(customer, (laptop, 1))

    assert len(mail.outbox) == 1
    page = thank_you_page(client, order)
    assert f"We have emailed a confirmation to {customer.email}." in page


def test_with_the_mail_server_down_the_thank_you_page_says_no_confirmation_went_out(
    client, customer, laptop, committed, settings
):
    settings.EMAIL_BACKEND = "tests.support.email_backends.BrokenSMTPBackend"

    with committed():
        order = make_placed_order(customer, (laptop, 1))

    page = thank_you_page(client, order)
    assert "we could not email you a confirmation" in page
    assert "emailed a confirmation" not in page
    assert order.number in page


def test_with_a_worker_the_thank_you_page_says_the_confirmation_is_coming(
    client, customer, laptop, committed, settings
):
    settings.TASKS = tasks_config("database")

    with committed():
        order = make_placed_order(customer, (laptop, 1))

    assert mail.outbox == []
    page = thank_you_page(client, order)
    assert f"We will email a confirmation to {customer.email} in the next few minutes." in page
    assert "emailed a confirmation" not in page


def test_the_shipped_email_carries_the_tracking_number_and_the_carriers_link(
    customer, laptop, committed
):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    with committed():
        change_status(order, OrderStatus.SHIPPED, carrier="USPS",
                      tracking_number="9400111899223197428490")

    (email,) = mail.outbox
    link = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"
    text, html = text_and_html(email)
    assert "Shipped by USPS, tracking number 9400111899223197428490" in text
    assert f"Track your parcel: {link}" in text
    assert "shipped by USPS, tracking number" in strip_tags(html)
    assert f'href="{link}"' in html


def test_an_unknown_carrier_gets_its_tracking_number_without_a_link(
    customer, laptop, committed
):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    with committed():
        change_status(order, OrderStatus.SHIPPED, carrier="Bob's Vans", tracking_number="BV-42")

    (email,) = mail.outbox
    for body in text_and_html(email):
        assert "BV-42" in body
        assert "Track your parcel" not in body
    assert "Bob&#x27;s Vans" in email.alternatives[0][0]


def test_every_order_email_ends_with_the_seller(customer, laptop, committed, seller):
    order = make_order(customer, [(laptop, 1)], status=OrderStatus.PAID, checkout=True)

    with committed():
        change_status(order, OrderStatus.SHIPPED)

    (email,) = mail.outbox
    text, html = text_and_html(email)
    assert text.rstrip().endswith(
        "Storefront Trading LLC\n400 Commerce Way\nSuite 12\nPortland, OR 97201\n"
        "Questions? Write to help@storefront.example"
    )
    assert "Storefront Trading LLC<br>400 Commerce Way<br>Suite 12" in html
    assert 'href="mailto:help@storefront.example"' in html
