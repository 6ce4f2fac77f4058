"""Journey 5: a shopper on a phone (390 px wide) buys from the product page and the cart."""

import pytest
from playwright.sync_api import expect

from products.models import ProductPage

from .steps import add_to_cart

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px screen"


def test_product_page_and_cart_fit_a_phone_screen(mobile_journey):
    page = mobile_journey.page
    product = ProductPage.objects.get(slug="lenovo-thinkpad-x1-carbon-gen-12")

    mobile_journey.goto(product.url)
    assert_no_horizontal_scroll(page)
    add_button = page.get_by_role("button", name="Add to cart")
    expect(add_button).to_be_visible()
    expect(add_button).to_be_in_viewport()
    mobile_journey.checkpoint("product")

    add_to_cart(mobile_journey, 2)
    expect(page.get_by_role("row", name=product.title)).to_be_visible()
    assert_no_horizontal_scroll(page)
    expect(page.get_by_role("link", name="Check out")).to_be_visible()
    mobile_journey.checkpoint("cart")


def test_on_a_phone_the_first_product_shows_before_the_filters(mobile_journey):
    page = mobile_journey.page

    mobile_journey.goto("/shop/")
    assert_no_horizontal_scroll(page)
    first_card = page.locator(".product-card").first
    expect(first_card).to_be_in_viewport()
    sort = page.get_by_label("Sort by")
    expect(sort).to_be_hidden()

    page.get_by_text("Filters and sorting").click()
    expect(sort).to_be_visible()
    assert_no_horizontal_scroll(page)
    # No facet is a scroll box that hides its last options (the brands were cut off).
    clipped = page.eval_on_selector_all(
        ".facet__options", "lists => lists.filter(l => l.scrollHeight > l.clientHeight + 1).length"
    )
    assert clipped == 0
