"""Journey 2: a returning customer's card is declined; then they buy fewer and lose the discount."""

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from home.demo_content import DEMO_CUSTOMER_PASSWORD
from products.models import ProductPage

from .steps import DECLINED_CARD, DELIVERY, add_to_cart, fill_checkout, money

pytestmark = pytest.mark.django_db(transaction=True)


def test_declined_card_keeps_the_order_form_and_three_units_lose_the_discount(journey):
    page = journey.page
    product = ProductPage.objects.get(slug="apple-macbook-air-13-m3")

    journey.log_in("ada", DEMO_CUSTOMER_PASSWORD)
    journey.goto(product.url)
    add_to_cart(journey, 4)
    expect(page.locator(".order-totals__discount")).to_contain_text("Bulk discount (20% off)")

    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    fill_checkout(page, DECLINED_CARD)
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.locator(".form-field--error")).to_contain_text("Your card was declined")
    for label, value in DELIVERY.items():
        expect(page.get_by_label(label)).to_have_value(value)
    expect(page.get_by_label("Card", exact=True)).to_be_checked()
    # Card details are never sent back to the browser: the customer types them again.
    expect(page.get_by_label("Card number")).to_have_value("")
    assert not Order.objects.exclude(status=OrderStatus.CART).exists()
    journey.checkpoint("card declined")

    page.get_by_role("link", name="Change your cart").click()
    journey.wait_for_path("/cart/")
    page.get_by_label(f"Quantity of {product.title}").fill("3")
    page.get_by_role("button", name=f"Update {product.title}").click()
    expect(page.get_by_role("status")).to_contain_text(f"You now have 3 × {product.title}.")
    expect(page.locator(".order-totals")).not_to_contain_text("Bulk discount")
    expect(page.locator(".order-totals__total")).to_contain_text(money(product.price * 3))
    expect(page.get_by_text("Buy more than 3 of one product")).to_be_visible()
    journey.checkpoint("three units without discount")
