"""The shipping and tax an order was charged, on its invoice, admin page and export."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.orders.invoices import render_invoice_pdf
from tests.commerce.orders.test_admin import csv_rows
from tests.commerce.orders.test_invoices import pdf_text
from tests.factories import make_placed_order, make_product, make_shipping_method, make_tax_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, product_index):
    laptop = make_product(product_index, "Zenith Air 14", price="1000.00")
    make_tax_rate("IL", "6.250", taxes_shipping=True)
    express = make_shipping_method("Express", flat_price="20.00")
    return make_placed_order(customer, (laptop, 1), shipping_method=express)


def test_the_invoice_shows_shipping_with_its_method_and_tax_with_its_rate(order):
    text = pdf_text(render_invoice_pdf(order))

    assert "Shipping (Express) $20.00" in text
    assert "Sales tax (6.25%) $63.75" in text
    assert "Total $1,083.75" in text


def test_the_admin_order_page_shows_shipping_and_tax(admin_client, order):
    url = reverse("wagtailsnippets_commerce_order:inspect", args=[order.pk])

    html = admin_client.get(url).content.decode()

    for text in ["Shipping (Express)", "$20.00", "Sales tax (6.25%)", "$63.75", "$1,083.75"]:
        assert text in html


def test_the_order_export_has_the_method_shipping_tax_rate_and_tax(admin_client, order):
    url = reverse("wagtailsnippets_commerce_order:list")

    rows = csv_rows(admin_client.get(url, {"export": "csv"}))

    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Shipping method"], row["Shipping"], row["Tax rate (%)"], row["Tax"]) == (
        "Express", "20.00", "6.250", "63.75"
    )
    assert Decimal(row["Total"]) == order.total
