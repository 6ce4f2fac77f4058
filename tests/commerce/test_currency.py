"""The shop's currency comes from one setting, SHOP_CURRENCY, wherever an amount is shown."""

import json
import re
from decimal import Decimal

import pytest

from commerce.orders.invoices import render_invoice_pdf
from commerce.pricing import format_money
from tests.commerce.orders.test_invoices import pdf_text
from tests.factories import make_customer, make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("currency", "shown"),
    [
        ("USD", "$1,299.50"),
        ("EUR", "€1,299.50"),
        ("GBP", "£1,299.50"),
        ("CAD", "$1,299.50"),
        ("AUD", "$1,299.50"),
        ("CHF", "CHF 1,299.50"),
    ],
)
def test_amounts_show_the_symbol_of_the_shops_currency_or_its_code(settings, currency, shown):
    settings.SHOP_CURRENCY = currency
    assert format_money(Decimal("1299.5")) == shown


@pytest.fixture
def euro_shop(settings, fresh_cache):
    settings.SHOP_CURRENCY = "EUR"


def test_a_euro_shop_shows_euros_on_the_product_page_and_to_search_engines(
    euro_shop, client, product_index
):
    laptop = make_product(product_index, "Zenith Air 14", price="1249.00")

    html = client.get(laptop.url).content.decode()

    assert "€1,249.00" in html
    assert "$" not in html
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(script.group(1))["offers"]["priceCurrency"] == "EUR"


def test_a_euro_shop_shows_euros_in_the_cart(euro_shop, client, product_index):
    laptop = make_product(product_index, "Zenith Air 14", price="1249.00")
    client.post("/cart/add/", {"product": laptop.pk, "quantity": 2})

    html = client.get("/cart/").content.decode()

    assert "€1,249.00" in html
    assert "€2,498.00" in html
    assert "$" not in html


def test_a_euro_shop_invoices_in_euros(euro_shop, product_index):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    order = make_order(
        make_customer(), [(laptop, 1)], checkout=True,
        address="1 Rue de la Paix", city="Paris", zip_code="75002",
    )

    text = pdf_text(render_invoice_pdf(order))

    assert "Total €1,000.00" in text
    assert "$" not in text
