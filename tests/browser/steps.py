"""Steps that several journeys take the same way, written once."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
APPROVED_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
DELIVERY = {
    "Shipping address": "1 Langley Boulevard",
    "City": "Hampton",
    "ZIP code": "23681",
}
STATE = "VA"  # picked from the state select


def money(amount):
    """An amount as the shop shows it: $1,199.00."""
    return f"${Decimal(amount).quantize(CENT, ROUND_HALF_UP):,}"


def add_to_cart(journey, quantity):
    """From the product page: add `quantity` units; leaves the browser on the cart."""
    journey.page.get_by_label("Quantity").fill(str(quantity))
    journey.page.get_by_role("button", name="Add to cart").click()
    journey.wait_for_path("/cart/")


def fill_checkout(page, card_number):
    """Fill the checkout form: the delivery address and a card (expiring in three years)."""
    fill_delivery(page)
    fill_card(page, card_number)


def fill_delivery(page):
    """Fill the checkout form's delivery address."""
    for label, value in DELIVERY.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("State").select_option(STATE)


def fill_card(page, card_number):
    """Pay by card on the checkout form, with `card_number` (expiring in three years)."""
    page.get_by_label("Card", exact=True).check()
    page.get_by_label("Card number").fill(card_number)
    page.get_by_label("Expiry date").fill(f"12/{(date.today().year + 3) % 100:02d}")
    page.get_by_label("Security code").fill("123")
