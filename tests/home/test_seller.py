"""The seller's identity (Settings → Seller): who the shop tells customers they buy from."""

import pytest
from django.core import mail

from home.shared.emails import send_password_reset_email
from home.shared.seller import SellerIdentity, current_seller
from support.inquiries import receive_inquiry
from support.models import Contact

pytestmark = pytest.mark.django_db


def test_the_footer_names_the_seller_and_its_support_email_and_claims_no_vat(
    client, home_page, seller
):
    page = client.get(home_page.url).content.decode()

    assert "VAT" not in page
    assert "Sales tax, where it applies, is added at checkout." in page
    assert "Storefront Trading LLC." in page
    assert '<a href="mailto:help@storefront.example">help@storefront.example</a>' in page


def test_without_a_seller_the_footer_names_the_shop(client, home_page):
    page = client.get(home_page.url).content.decode()

    assert "Storefront. Sales tax, where it applies, is added at checkout." in page
    assert "mailto:" not in page


def test_reading_the_seller_saves_nothing(home_page):
    assert current_seller().name == "Storefront"
    assert not SellerIdentity.objects.exists()


def test_a_password_reset_email_ends_with_the_seller(django_user_model, seller):
    user = django_user_model.objects.create_user("tom", "tom@example.com")

    send_password_reset_email(user, "tom@example.com", domain="testserver", protocol="http")

    (email,) = mail.outbox
    assert email.body.rstrip().endswith("Questions? Write to help@storefront.example")
    assert "Portland, OR 97201" in email.body
    assert "Storefront Trading LLC<br>400 Commerce Way" in email.alternatives[0][0]


def test_support_emails_end_with_the_seller(seller):
    inquiry = Contact(name="Tom", email="tom@example.com", description="Where is my order?")

    receive_inquiry(inquiry, support_email="desk@storefront.example")

    for email in mail.outbox:
        assert "Storefront Trading LLC\n400 Commerce Way" in email.body
        assert "mailto:help@storefront.example" in email.alternatives[0][0]
