"""The promotions report: orders and money off per promotion (bulk discount, each voucher,
sale prices), its CSV export and its dashboard panel, for marketers only."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from commerce.reports.marketing_admin import period
from commerce.reports.promotions import promotion_figures
from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from tests.commerce.promotions.test_vouchers import buy, make_voucher, with_code
from tests.factories import make_customer, make_product
from tests.products.test_sales import on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def promoted_orders(product_index):
    """Four orders at $100 a unit: 4 units (bulk discount, $80 off), 2 units with SAVE10
    ($20 off), 1 unit of a laptop on sale at $70 ($30 off), and a SAVE10 order then cancelled."""
    laptop = make_product(product_index, "Report Laptop", price="100.00")
    sale_laptop = on_sale(make_product(product_index, "Sale Laptop", price="100.00"),
                          "70.00", ends=timedelta(days=1))
    make_voucher()
    bulk_buyer, voucher_buyer, sale_buyer, cancelled_buyer = (
        make_customer(username=name, email=f"{name}@example.com")
        for name in ("bulk", "coder", "bargain", "changed-mind")
    )
    add_to_cart(CustomerCart(bulk_buyer), laptop.pk, 4)
    buy(bulk_buyer)
    with_code(voucher_buyer, laptop, 2)
    buy(voucher_buyer)
    add_to_cart(CustomerCart(sale_buyer), sale_laptop.pk, 1)
    buy(sale_buyer)
    with_code(cancelled_buyer, laptop, 1)
    change_status(buy(cancelled_buyer), OrderStatus.CANCELLED)


def this_month():
    _first, _last, since, until = period(30)
    return since, until


def test_each_promotion_has_its_orders_and_money_off(promoted_orders):
    figures = {row.name: (row.orders, row.discounted) for row in promotion_figures(*this_month())}
    assert figures == {
        "Bulk discount": (1, Decimal("80.00")),
        "Voucher SAVE10": (1, Decimal("20.00")),
        "Sale prices": (1, Decimal("30.00")),
    }


def test_orders_before_the_period_are_left_out(promoted_orders):
    since, until = this_month()
    later = promotion_figures(until, until + timedelta(days=30))
    assert [(row.orders, row.discounted) for row in later] == [(0, Decimal("0.00"))] * 2


def test_marketers_read_the_report_and_download_it_as_csv(staff_client, promoted_orders):
    client = staff_client(MARKETERS)
    html = client.get(reverse("promotions_report")).content.decode()
    assert "<th scope=\"row\">Voucher SAVE10</th><td>1</td><td>$20.00</td>" in html

    export = client.get(reverse("promotions_report"), {"days": 7, "export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows == [
        ["Promotion", "Orders", "Discounted"], ["Bulk discount", "1", "80.00"],
        ["Voucher SAVE10", "1", "20.00"], ["Sale prices", "1", "30.00"],
    ]


def test_the_dashboard_shows_marketers_the_promotions(staff_client, promoted_orders):
    html = staff_client(MARKETERS).get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="shop-promotions-section"' in html
    assert "<th scope=\"row\">Sale prices</th><td>1</td><td>$30.00</td>" in html


@pytest.mark.parametrize("role", [SUPPORT, FULFILMENT])
def test_other_staff_see_neither_report_nor_panel(staff_client, role):
    client = staff_client(role)
    response = client.get(reverse("promotions_report"), {"export": "csv"})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="shop-promotions-section"' not in dashboard


def test_a_bad_period_shows_the_default_month(staff_client, promoted_orders):
    response = staff_client(MARKETERS).get(reverse("promotions_report"), {"days": "nonsense"})
    assert response.status_code == 200
    assert timezone.localdate().strftime("%Y") in response.content.decode()
