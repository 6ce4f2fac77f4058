"""Journey: a shopper checks out as a guest, ships Express to New York (sales tax on the goods
and the shipping), then opens the order from the email's link in another browser, and is
offered an account."""

import re
from decimal import ROUND_HALF_UP

import pytest
from django.core import mail
from playwright.sync_api import expect

from commerce.shipping.models import ShippingMethod, TaxRate
from products.models import ProductPage
from products.weight import product_weight_kg

from .steps import APPROVED_CARD, CENT, add_to_cart, fill_card, fill_checkout, money

pytestmark = pytest.mark.django_db(transaction=True)


def test_guest_checks_out_and_opens_the_order_from_the_emailed_link(journey, browser,
                                                                      settings):
    page = journey.page
    settings.SHOP_BASE_URL = journey.url("")
    product = next(
        p for p in ProductPage.objects.live().filter(stock__gt=1)
        if product_weight_kg(p.features) is not None
    )
    # The demo shop's Express rate and New York's tax, which covers shipping.
    express = ShippingMethod.objects.get(name="Express")
    new_york = TaxRate.objects.get(state="NY")
    assert new_york.taxes_shipping
    shipping = (express.flat_price + express.price_per_kg * product_weight_kg(product.features)
                ).quantize(CENT, ROUND_HALF_UP)
    tax = ((product.price + shipping) * new_york.rate / 100).quantize(CENT, ROUND_HALF_UP)
    total = product.price + shipping + tax

    journey.goto(product.url)
    add_to_cart(journey, 1)
    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    expect(page.locator(".checkout__form").get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_label("Full name").fill("Mary Jackson")
    page.get_by_label("Email").fill("mary@example.com")
    page.get_by_label("Phone").fill("5550107070")
    fill_checkout(page, APPROVED_CARD)
    page.get_by_label("State").select_option("NY")
    page.get_by_role("radio", name=re.compile(r"^Express")).check()
    page.get_by_role("button", name="Update totals").click()
    summary = page.locator(".checkout__summary")
    expect(summary.locator(".order-totals__shipping")).to_contain_text(money(shipping))
    expect(summary.locator(".order-totals__tax")).to_contain_text(money(tax))
    expect(summary.locator(".order-totals__total")).to_contain_text(money(total))
    expect(page.get_by_label("Full name")).to_have_value("Mary Jackson")  # kept
    fill_card(page, APPROVED_CARD)  # never echoed back
    journey.checkpoint("guest checkout")
    page.get_by_role("button", name=f"Place order: {money(total)}").click()

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
        totals = other_page.locator(".order-totals")
        expect(totals.locator(".order-totals__shipping")).to_contain_text("Express")
        expect(totals.locator(".order-totals__shipping")).to_contain_text(money(shipping))
        expect(totals.locator(".order-totals__tax")).to_contain_text(money(tax))
        expect(totals.locator(".order-totals__total")).to_contain_text(money(total))
        with other_page.expect_download() as download:
            other_page.get_by_role("link", name="Download the invoice (PDF)").click()
        assert download.value.suggested_filename.endswith(".pdf")
        # Without the link, a third browser sees no order.
        stranger = elsewhere.browser.new_context().new_page()
        response = stranger.goto(journey.url(f"/accounts/orders/{order_number}/"))
        assert response.status == 404
    finally:
        elsewhere.close()
