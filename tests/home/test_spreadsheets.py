"""Every spreadsheet export of the admin keeps customer-typed formulas as text."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commerce.orders.models import OrderStatus
from home.shared.spreadsheets import neutralise_formula
from tests.factories import (
    FORMULA_PAYLOADS,
    make_customer,
    make_inquiry,
    make_order,
    make_product,
)


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_text_starting_like_a_formula_gets_a_leading_quote(payload):
    assert neutralise_formula(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Ada Lovelace", "1 Market Street", "", "a=b", 5, None])
def test_ordinary_text_and_numbers_are_left_alone(value):
    assert neutralise_formula(value) == value


def exported_cells(response, export_format):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if export_format == "csv":
        rows = csv.reader(io.StringIO(content.decode(), newline=""))
        return [cell for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.values for cell in row]


def assert_exported_as_text(cells, payloads=FORMULA_PAYLOADS):
    # XLSX is XML, which reads a carriage return back as a line feed.
    cells = [cell.replace("\r", "\n") if isinstance(cell, str) else cell for cell in cells]
    for payload in (payload.replace("\r", "\n") for payload in payloads):
        assert any(isinstance(cell, str) and cell.startswith("'" + payload) for cell in cells), (
            payload
        )
        assert not any(isinstance(cell, str) and cell.startswith(payload) for cell in cells), (
            payload
        )


@pytest.fixture
def payload_orders(product_index):
    laptop = make_product(product_index, "Aero 14")
    for number, payload in enumerate(FORMULA_PAYLOADS):
        customer = make_customer(f"mallory{number}", payload)
        make_order(
            customer, [laptop], status=OrderStatus.PAID, checkout=True,
            address=payload, city=payload,
        )


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "url", [
        reverse("wagtailsnippets_commerce_order:list"),
        reverse("wagtailsnippets_commerce_customer:list"),
        "/admin/fulfilment/",
    ],
)
def test_shop_exports_keep_customer_formulas_as_text(
    admin_client, payload_orders, url, export_format
):
    response = admin_client.get(url, {"export": export_format})

    assert_exported_as_text(exported_cells(response, export_format))


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_inquiry_export_keeps_sender_formulas_as_text(admin_client, db, export_format):
    for payload in FORMULA_PAYLOADS:
        make_inquiry(name=payload, description=payload)

    response = admin_client.get(reverse("support_inquiries:list"), {"export": export_format})

    assert_exported_as_text(exported_cells(response, export_format))


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_product_listing_export_keeps_formula_titles_as_text(
    admin_client, product_index, export_format
):
    # Titles are trimmed on save, so the tab and carriage return payloads cannot be titles.
    payloads = [payload for payload in FORMULA_PAYLOADS if payload == payload.strip()]
    for number, payload in enumerate(payloads):
        make_product(product_index, payload, slug=f"payload-{number}")

    for url in [
        reverse("wagtailadmin_pages:type_use", args=["products", "productpage"]),
        reverse("wagtailadmin_explore", args=[product_index.pk]),
    ]:
        response = admin_client.get(url, {"export": export_format})

        assert_exported_as_text(exported_cells(response, export_format), payloads)
