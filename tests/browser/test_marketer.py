"""Journey 3: a marketer reprices a laptop and corrects a spec in the Wagtail admin; orders are
not theirs to see."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commerce.orders.models import Order
from home.shared.roles import MARKETERS
from products.models import ProductPage
from tests.factories import make_staff_in_role

from .steps import money

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PROCESSOR = "Intel Core Ultra 7 258V"


def test_marketer_changes_price_and_a_spec_and_publishes_them_but_cannot_see_orders(journey):
    page = journey.page
    make_staff_in_role(MARKETERS, "hedy")
    product = ProductPage.objects.get(slug="dell-xps-13")
    new_price = product.price - 100
    # Read before the browser publishes: the test's own queries must not race the live
    # server's on SQLite's shared in-memory database ("database table is locked").
    index_id = product.get_parent().id

    journey.log_in_to_admin("hedy", "staff-test-pass")
    journey.checkpoint("dashboard")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Products").click()
    journey.wait_for_path("/admin/pages/usage/products/productpage/")
    journey.checkpoint("products")
    page.get_by_role("link", name=product.title, exact=True).click()
    journey.wait_for_path(rf"/admin/pages/{product.id}/edit/")
    journey.checkpoint("product editor")

    page.get_by_role("tab", name="Pricing and stock").click()
    # The product's price, above its variants' own (empty: "the product's price").
    page.get_by_role("spinbutton", name="Price", exact=True).first.fill(str(new_price))
    page.get_by_role("tab", name="Specs").click()
    processor = page.get_by_role("region", name=re.compile(r"^Processor\b"))
    processor.get_by_role("textbox").fill(NEW_PROCESSOR)
    journey.checkpoint("specs edited")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()

    journey.wait_for_path(rf"/admin/pages/{index_id}/")
    expect(page.get_by_role("status")).to_contain_text(f"'{product.title}' has been published")
    journey.goto(product.url)
    expect(page.locator(".product__summary .price")).to_have_text(f"Price: {money(new_price)}")
    expect(page.get_by_role("row", name=f"Processor {NEW_PROCESSOR}")).to_be_visible()
    journey.checkpoint("published product")

    journey.goto("/admin/")
    main_menu = page.get_by_role("navigation", name="Main menu")
    expect(main_menu.get_by_role("button", name="Pages")).to_be_visible()
    expect(main_menu.get_by_role("button", name="Shop")).to_have_count(0)
    page.goto(journey.url(reverse(Order.snippet_viewset.get_url_name("list"))))
    journey.wait_for_path("/admin/")
    expect(page.get_by_role("status")).to_contain_text(
        "Sorry, you do not have permission to access this area."
    )
    journey.checkpoint("orders refused")
