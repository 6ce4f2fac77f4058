"""Journey 2: a returning customer's card is declined, so they go back to the cart from the
pay page; then they buy fewer and lose the discount."""

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order, OrderStatus
from home.demo_content import DEMO_CUSTOMER_PASSWORD
from products.models import ProductPage

from .steps import DECLINED_CARD, add_to_cart, fill_checkout, money

pytestmark = pytest.mark.django_db(transaction=True)


def test_declined_card_waits_on_the_pay_page_and_back_to_cart_three_units_lose_the_discount(
    journey,
):
    page = journey.page
    product = ProductPage.objects.get(slug="apple-macbook-air-13-m3")
    # Sold in several configurations: the page offers the first, and the cart names it.
    name = product.variants.order_by("sort_order").first().display_name

    journey.log_in("ada", DEMO_CUSTOMER_PASSWORD)
    journey.goto(product.url)
    add_to_cart(journey, 4)
    expect(page.locator(".order-totals__discount")).to_contain_text("Bulk discount (20% off)")

    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    fill_checkout(page, DECLINED_CARD)
    page.get_by_role("button", name="Place order").click()

    # The order waits for payment with its stock held: another card, or back to the cart.
    journey.wait_for_path(r"/checkout/pay/[\w-]+/")
    expect(page.get_by_role("status")).to_contain_text("Your card was declined")
    # Card details are never sent back to the browser: the customer types them again.
    expect(page.get_by_label("Card number")).to_have_value("")
    order = Order.objects.get(customer__user__username="ada", status=OrderStatus.AWAITING_PAYMENT)
    expect(page.get_by_role("button", name="Pay")).to_contain_text(money(order.total))
    journey.checkpoint("card declined")

    page.get_by_role("button", name="Back to cart").click()
    journey.wait_for_path("/cart/")
    expect(page.get_by_role("status")).to_contain_text(
        f"Order {order.number} was cancelled and its products are back in your cart."
    )
    expect(page.get_by_label(f"Quantity of {name}")).to_have_value("4")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    page.get_by_label(f"Quantity of {name}").fill("3")
    page.get_by_role("button", name=f"Update {name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"You now have 3 × {name}.")
    expect(page.locator(".order-totals")).not_to_contain_text("Bulk discount")
    expect(page.locator(".order-totals__total")).to_contain_text(money(product.price * 3))
    expect(page.get_by_text("Buy more than 3 of one product")).to_be_visible()
    journey.checkpoint("three units without discount")
