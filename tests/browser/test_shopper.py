"""Journey 1: a new shopper finds a laptop, buys four, and reviews it."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from products.models import ProductPage

from .steps import APPROVED_CARD, CENT, add_to_cart, fill_checkout, money

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_shopper_buys_four_laptops_with_the_bulk_discount_and_reviews_them(journey):
    page = journey.page
    product = ProductPage.objects.get(slug="dell-xps-13")
    subtotal = product.price * 4
    discount = (subtotal * Decimal("0.20")).quantize(CENT, ROUND_HALF_UP)

    journey.goto("/")
    journey.checkpoint("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Shop").click()
    journey.wait_for_path("/shop/")
    page.get_by_role("checkbox", name=re.compile(r"^Dell\b")).check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"/shop/\?(.*&)?brand=Dell(&|$)"))
    dell_laptops = ProductPage.objects.live().filter(brand="Dell").count()
    expect(page.get_by_role("heading", name=f"{dell_laptops} products")).to_be_visible()
    titles = page.locator(".product-card").get_by_role("heading").all_inner_texts()
    assert len(titles) == dell_laptops
    assert all(title.startswith("Dell ") for title in titles)
    journey.checkpoint("listing filtered by brand")

    page.get_by_role("link", name=product.title).click()
    journey.wait_for_path("/shop/dell-xps-13/")
    expect(page.get_by_role("heading", level=1)).to_have_text(product.title)
    expect(page.get_by_role("row", name="Processor Intel Core Ultra 7 155H")).to_be_visible()
    journey.checkpoint("product")

    add_to_cart(journey, 4)
    discount_row = page.locator(".order-totals__discount")
    expect(discount_row).to_contain_text("Bulk discount (20% off)")
    expect(discount_row).to_contain_text(money(discount))
    expect(page.locator(".order-totals__total")).to_contain_text(money(subtotal - discount))
    journey.checkpoint("cart with bulk discount")

    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    # Guest checkout is on; this shopper chooses to have an account.
    page.locator(".checkout__form").get_by_role("link", name="Log in").click()
    journey.wait_for_path("/accounts/login/")
    page.get_by_role("link", name="Create an account").click()
    journey.wait_for_path("/accounts/signup/")
    journey.checkpoint("sign up")
    page.get_by_label("Username").fill("katherine")
    page.get_by_label("Full name").fill("Katherine Johnson")
    page.get_by_label("Email").fill("katherine@example.com")
    page.get_by_label("Phone").fill("5550104040")
    page.get_by_label(re.compile(r"^Password:?$")).fill("orbit-1962-glenn")
    page.get_by_label("Password confirmation").fill("orbit-1962-glenn")
    page.get_by_role("button", name="Create account").click()

    journey.wait_for_path("/checkout/")
    expect(page.locator(".checkout__summary .order-totals__discount")).to_contain_text(
        money(discount)
    )
    fill_checkout(page, APPROVED_CARD)
    journey.checkpoint("checkout")
    page.get_by_role("button", name=f"Place order: {money(subtotal - discount)}").click()

    journey.wait_for_path(r"/checkout/thank-you/[\w-]+/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your order")
    order_number = page.locator(".lead strong").inner_text()
    expect(page.locator(".order-totals__total")).to_contain_text(money(subtotal - discount))
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    journey.checkpoint("order confirmation")

    page.get_by_role("link", name="My orders").click()
    journey.wait_for_path("/accounts/orders/")
    page.get_by_role("link", name=order_number).click()
    journey.wait_for_path(f"/accounts/orders/{order_number}/")
    expect(page.get_by_role("row", name=re.compile(product.title))).to_contain_text("4")
    journey.checkpoint("order in history")

    journey.goto(product.url)
    reviews = page.get_by_role("region", name="Customer reviews")
    reviews.get_by_label("5 out of 5").check()
    reviews.get_by_label("Your review").fill("Four of these for the lab: light, quiet, fast.")
    reviews.get_by_role("button", name="Post your review").click()
    expect(page.get_by_role("status")).to_contain_text("your review is published")
    review = reviews.get_by_role("listitem").filter(has_text="Katherine J.")
    expect(review).to_contain_text("Four of these for the lab: light, quiet, fast.")
    expect(review.get_by_role("img", name="5 out of 5 stars")).to_be_visible()
    expect(reviews).to_contain_text("from 1 review")
    journey.checkpoint("review on product page")

