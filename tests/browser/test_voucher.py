"""Journey: a shopper types a voucher code in the cart in lower case, sees what it takes off,
is told a second code is unknown, checks out with the code, and the thank-you page names it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order
from commerce.promotions.models import Voucher
from products.models import ProductPage

from .steps import APPROVED_CARD, add_to_cart, fill_checkout, money

pytestmark = pytest.mark.django_db(transaction=True)


def test_shopper_applies_a_voucher_code_and_the_order_gets_its_discount(journey):
    page = journey.page
    Voucher.objects.create(code="SAVE10", value=Decimal("10"))
    product = ProductPage.objects.get(slug="apple-macbook-air-13-m3")
    saving = (product.price * 2 / 10).quantize(Decimal("0.01"))

    journey.goto(product.url)
    add_to_cart(journey, 2)
    page.get_by_label("Voucher code").fill("save10")
    page.get_by_role("button", name="Apply").click()
    journey.wait_for_path("/cart/")
    expect(page.get_by_role("status")).to_contain_text("Voucher SAVE10 was added to your cart.")
    discount = page.locator(".order-totals__discount")
    expect(discount).to_contain_text("Voucher SAVE10")
    expect(discount).to_contain_text(money(saving))
    journey.checkpoint("voucher in the cart")

    page.get_by_role("button", name="Remove code").click()
    expect(page.locator(".order-totals")).not_to_contain_text("Voucher")
    page.get_by_label("Voucher code").fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("There is no voucher NOPE: check the code.")
    page.get_by_label("Voucher code").fill("SAVE10")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".order-totals__discount")).to_contain_text("Voucher SAVE10")

    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    expect(page.locator(".checkout__summary .order-totals__discount")).to_contain_text(
        "Voucher SAVE10"
    )
    page.get_by_label("Full name").fill("Mary Jackson")
    page.get_by_label("Email").fill("mary@example.com")
    page.get_by_label("Phone").fill("5550107070")
    fill_checkout(page, APPROVED_CARD)
    page.get_by_role("button", name="Place order").click()

    journey.wait_for_path(r"/checkout/thank-you/[\w-]+/")
    expect(page.locator(".order-totals__discount")).to_contain_text("Voucher SAVE10")
    order = Order.objects.get(billing_email="mary@example.com")
    assert (order.voucher_code, order.discount) == ("SAVE10", saving)
