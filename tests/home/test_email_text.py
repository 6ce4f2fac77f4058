"""Plain-text parts of every shop email (subject and text body) keep `&`, `"`, `'` and `<`
as typed; only the HTML body escapes them."""

import pytest
from django.core import mail

from commerce.orders.emails import send_order_confirmation, send_status_update
from commerce.orders.models import OrderStatus
from home.shared.emails import send_password_reset_email
from support.inquiries import receive_inquiry
from support.models import Contact
from tests.factories import make_customer, make_order, make_product

pytestmark = pytest.mark.django_db

MARK = """Tom & Jerry's "Best" <Shop>"""
ESCAPED = "Tom &amp; Jerry&#x27;s &quot;Best&quot; &lt;Shop&gt;"


@pytest.fixture(autouse=True)
def marked_shop_name(settings):
    settings.WAGTAIL_SITE_NAME = MARK


@pytest.fixture
def marked_order(product_index):
    customer = make_customer(name=MARK)
    product = make_product(product_index, MARK, price="10.00")
    return make_order(customer, [product], checkout=True)


def send_shipped(order):
    order.status = OrderStatus.SHIPPED
    send_status_update(order)


def send_cancelled(order):
    order.status = OrderStatus.CANCELLED
    send_status_update(order)


@pytest.mark.parametrize("send", [send_order_confirmation, send_shipped, send_cancelled])
def test_order_emails_keep_the_text_as_typed(marked_order, send):
    send(marked_order)

    (email,) = mail.outbox
    assert MARK in email.subject
    assert f"Hello {MARK}," in email.body
    assert "&amp;" not in email.body + email.subject
    html = email.alternatives[0][0]
    assert ESCAPED in html and MARK not in html


def test_password_reset_email_keeps_the_text_as_typed(django_user_model):
    user = django_user_model.objects.create_user("tom", "tom@example.com", first_name=MARK)

    send_password_reset_email(user, "tom@example.com", domain="testserver", protocol="http")

    (email,) = mail.outbox
    assert email.subject == f"Reset your {MARK} password"
    assert f"Hello {MARK}," in email.body
    assert "&amp;" not in email.body
    html = email.alternatives[0][0]
    assert ESCAPED in html and MARK not in html


def test_inquiry_emails_keep_the_text_as_typed():
    inquiry = Contact(name=MARK, email="tom@example.com", description=f"{MARK} broke")

    receive_inquiry(inquiry, support_email="help@shop.example")

    acknowledgement, notification = mail.outbox
    assert notification.subject == f"New inquiry #{inquiry.pk} from {MARK}: {MARK} broke"
    for email in (acknowledgement, notification):
        assert f"{MARK} broke" in email.body
        assert "&amp;" not in email.body + email.subject
        html = email.alternatives[0][0]
        assert ESCAPED in html and MARK not in html
    assert f"Hello {MARK}," in acknowledgement.body
    assert f"From: {MARK} <tom@example.com>" in notification.body
