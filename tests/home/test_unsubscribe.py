"""One-click unsubscribe from the shop's marketing emails (RFC 8058)."""

import re

import pytest
from django.core import mail
from django.test import Client

from home.shared.emails import send_marketing_email, send_shop_email
from home.shared.models import EmailOptOut
from home.shared.unsubscribe import has_opted_out, unsubscribe_url

pytestmark = pytest.mark.django_db

TEMPLATE = "products/emails/back_in_stock"


@pytest.fixture
def sold_out(product_index):
    from tests.factories import make_product

    return make_product(product_index, "Sold Out Laptop", stock=0)


def send_alert_to(product, email):
    return send_marketing_email(
        TEMPLATE, {"product": product, "product_url": "https://shop.example/p/",
                   "shop_name": "Storefront"}, to=email,
    )


def link_path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_mail_clients_one_click_post_unsubscribes_without_logging_in(sold_out):
    send_alert_to(sold_out, "grace@example.com")
    [message] = mail.outbox
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url in message.body

    # A mail client posts without a CSRF cookie or token.
    response = Client(enforce_csrf_checks=True).post(
        link_path(url), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert has_opted_out("Grace@Example.com")
    assert send_alert_to(sold_out, "grace@example.com") is None
    assert len(mail.outbox) == 1


def test_opening_the_link_asks_to_confirm_and_unsubscribes_nobody(client):
    response = client.get(link_path(unsubscribe_url("grace@example.com")))

    content = response.content.decode()
    assert "Stop cart reminders and back-in-stock emails to grace@example.com?" in content
    assert "csrfmiddlewaretoken" in content
    assert not EmailOptOut.objects.exists()


def test_the_confirm_button_unsubscribes(client):
    path = link_path(unsubscribe_url("grace@example.com"))
    client.get(path)

    response = client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert "grace@example.com is unsubscribed" in response.content.decode()
    assert has_opted_out("grace@example.com")


def test_the_confirm_button_needs_the_csrf_token():
    path = link_path(unsubscribe_url("grace@example.com"))

    response = Client(enforce_csrf_checks=True).post(path, {})

    assert response.status_code == 403
    assert not EmailOptOut.objects.exists()


def test_unsubscribing_twice_is_fine(client):
    path = link_path(unsubscribe_url("grace@example.com"))
    for _ in range(2):
        client.post(path, {"List-Unsubscribe": "One-Click"})

    assert EmailOptOut.objects.count() == 1


def test_a_tampered_link_unsubscribes_nobody(client):
    path = link_path(unsubscribe_url("grace@example.com")).replace("grace", "ada")

    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 404
    assert not EmailOptOut.objects.exists()


def test_order_emails_still_go_to_an_address_that_unsubscribed(sold_out, client):
    client.post(link_path(unsubscribe_url("grace@example.com")), {"List-Unsubscribe": "One-Click"})

    send_shop_email(TEMPLATE, {"product": sold_out}, to=["grace@example.com"])

    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()
