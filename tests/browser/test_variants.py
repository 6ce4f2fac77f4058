"""Journey: a shopper picks a configuration of a laptop, with JavaScript and without it."""

import pytest
from playwright.sync_api import expect

from products.variants import ProductVariant

from .conftest import Journey
from .steps import money

pytestmark = pytest.mark.django_db(transaction=True)


def pick_32_gb_and_add_two(journey):
    page = journey.page
    large = ProductVariant.objects.get(sku="XPS13-32-1TB")
    journey.goto("/shop/dell-xps-13/")
    expect(page.locator(".product__summary .price")).to_contain_text(
        money(ProductVariant.objects.get(sku="XPS13-16-512").unit_price)
    )
    journey.checkpoint("product with configurations")

    page.get_by_role("group", name="RAM").get_by_role("link", name="32 GB").click()
    expect(page.locator(".product__summary .price")).to_contain_text(money(large.unit_price))
    expect(page.get_by_role("group", name="RAM").locator("[aria-current]")).to_have_text("32 GB")
    expect(page.locator(".variant-picker__sku")).to_contain_text("XPS13-32-1TB")
    assert page.url.endswith("?variant=XPS13-32-1TB")
    journey.checkpoint("32 GB chosen")

    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    journey.wait_for_path("/cart/")
    expect(page.get_by_role("row", name="Dell XPS 13 (32 GB RAM, 1 TB Storage)")).to_contain_text(
        money(large.unit_price * 2)
    )
    journey.checkpoint("cart with the chosen configuration")


def test_the_picker_updates_the_page_in_place_with_javascript(journey):
    page = journey.page
    journey.goto("/shop/dell-xps-13/")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("group", name="RAM").get_by_role("link", name="32 GB").click()
    expect(page.locator(".variant-picker__sku")).to_contain_text("XPS13-32-1TB")

    # The choice was fetched and swapped in: the page itself was not loaded again.
    assert page.evaluate("window.notReloaded === true")
    pick_32_gb_and_add_two(journey)


def test_the_picker_works_without_javascript(request, browser, live_server, demo_shop):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                        "height": 900})
    try:
        journey = Journey(context.new_page(), live_server.url, "variants-no-js")
        pick_32_gb_and_add_two(journey)
    finally:
        context.close()
