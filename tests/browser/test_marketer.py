"""Journey 3: a marketer reprices a laptop and corrects a spec in the Wagtail admin."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect
from wagtail.models import GroupPagePermission, Page

from products.models import ProductPage
from tests.factories import make_admin_user

from .steps import money

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PROCESSOR = "Intel Core Ultra 7 258V"


def test_marketer_changes_price_and_a_spec_and_publishes_them(journey):
    page = journey.page
    group = Group.objects.create(name="Marketers")
    for codename in ["add_page", "change_page", "publish_page"]:
        GroupPagePermission.objects.create(group=group, page=Page.get_first_root_node(),
                                           permission=Permission.objects.get(codename=codename))
    make_admin_user("grace_m", group=group)
    product = ProductPage.objects.get(slug="dell-xps-13")
    new_price = product.price - 100

    journey.log_in_to_admin("grace_m", "staff-test-pass")
    journey.checkpoint("dashboard")
    journey.goto(f"/admin/pages/{product.get_parent().id}/")
    page.get_by_role("link", name=product.title, exact=True).click()
    journey.wait_for_path(rf"/admin/pages/{product.id}/edit/")
    journey.checkpoint("product editor")

    page.get_by_role("tab", name="Pricing and stock").click()
    page.get_by_role("spinbutton", name="Price").fill(str(new_price))
    page.get_by_role("tab", name="Specs").click()
    processor = page.get_by_role("region", name=re.compile(r"^Processor\b"))
    processor.get_by_role("textbox").fill(NEW_PROCESSOR)
    journey.checkpoint("specs edited")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()

    journey.wait_for_path(rf"/admin/pages/{product.get_parent().id}/")
    expect(page.get_by_role("status")).to_contain_text(f"'{product.title}' has been published")
    journey.goto(product.url)
    expect(page.locator(".product__summary .price")).to_have_text(f"Price: {money(new_price)}")
    expect(page.get_by_role("row", name=f"Processor {NEW_PROCESSOR}")).to_be_visible()
    journey.checkpoint("published product")
