"""Journey: a shopper checks out as a guest, then opens the order from the email's link in
another browser, and is offered an account."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from products.models import ProductPage

from .steps import APPROVED_CARD, add_to_cart, fill_checkout

pytestmark = pytest.mark.django_db(transaction=True)


def test_guest_checks_out_and_opens_the_order_from_the_emailed_link(journey, browser,
                                                                      settings):
    page = journey.page
    settings.SHOP_BASE_URL = journey.url("")
    product = ProductPage.objects.live().filter(stock__gt=1).first()

    journey.goto(product.url)
    add_to_cart(journey, 1)
    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    expect(page.locator(".checkout__form").get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_label("Full name").fill("Mary Jackson")
    page.get_by_label("Email").fill("mary@example.com")
    page.get_by_label("Phone").fill("5550107070")
    fill_checkout(page, APPROVED_CARD)
    journey.checkpoint("guest checkout")
    page.get_by_role("button", name=re.compile(r"^Place order")).click()

    journey.wait_for_path(r"/checkout/thank-you/[\w-]+/")
    order_number = page.locator(".lead strong").inner_text()
    create_account = page.get_by_role("link", name="Create an account")
    expect(create_account).to_have_attribute("href", re.compile(r"email=mary%40example.com"))
    journey.checkpoint("guest confirmation")

    message = next(m for m in mail.outbox if order_number in m.subject)
    link = re.search(r"(http://\S+/accounts/orders/\S+\?key=\S+)", message.body).group(1)

    elsewhere = browser.new_context()
    try:
        other_page = elsewhere.new_page()
        other_page.goto(link)
        expect(other_page.get_by_role("heading", level=1)).to_have_text(f"Order {order_number}")
        with other_page.expect_download() as download:
            other_page.get_by_role("link", name="Download the invoice (PDF)").click()
        assert download.value.suggested_filename.endswith(".pdf")
        # Without the link, a third browser sees no order.
        stranger = elsewhere.browser.new_context().new_page()
        response = stranger.goto(journey.url(f"/accounts/orders/{order_number}/"))
        assert response.status == 404
    finally:
        elsewhere.close()
