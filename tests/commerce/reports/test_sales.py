from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commerce.reports import sales as reports
from tests.factories import make_customer, make_order, make_product

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def customer(db):
    return make_customer()


@pytest.fixture
def known_orders(product_index, customer):
    """Four sales in the last 30 days, plus a cancelled order, a cart and an older sale."""
    laptop = make_product(product_index, "Hundred", price="100.00")
    tablet = make_product(product_index, "Tablet", price="250.50")
    cable = make_product(product_index, "Cable", price="50.00")
    big = make_product(product_index, "Big", price="999.00")
    make_order(customer, [(laptop, 1)], status="placed", date_ordered=NOW - timedelta(hours=5))
    make_order(customer, [(tablet, 1)], status="paid", date_ordered=NOW - timedelta(hours=6))
    # Four of one product: the bulk discount takes 20% off, 320.00 paid.
    make_order(customer, [(laptop, 4)], status="shipped", date_ordered=NOW - timedelta(days=1))
    make_order(customer, [(cable, 1)], status="completed",
               date_ordered=datetime(2026, 2, 14, 0, 30, tzinfo=ZoneInfo("UTC")))
    make_order(customer, [(big, 1)], status="placed",
               date_ordered=datetime(2026, 2, 13, 23, 30, tzinfo=ZoneInfo("UTC")))
    make_order(customer, [(big, 1)], status="cancelled", date_ordered=NOW - timedelta(hours=1))
    make_order(customer, [(big, 2)], status="cart")


def test_today_counts_placed_and_paid_orders_of_the_day(known_orders):
    figures = reports.sales_figures(NOW)

    assert figures.revenue_today == Decimal("350.50")
    assert figures.orders_today == 2


def test_last_30_days_include_today_and_the_29_days_before_it(known_orders):
    figures = reports.sales_figures(NOW)

    assert figures.revenue_last_30_days == Decimal("720.50")
    assert figures.orders_last_30_days == 4


def test_revenue_is_the_order_total_after_discount(product_index, customer):
    laptop = make_product(product_index, "Laptop", price="100.00")
    order = make_order(customer, [(laptop, 4)], date_ordered=NOW)
    assert (order.subtotal, order.discount) == (Decimal("400.00"), Decimal("80.00"))

    assert reports.sales_figures(NOW).revenue_today == Decimal("320.00")


def test_average_order_value_rounds_half_up_to_cents(known_orders):
    # 720.50 / 4 = 180.125
    assert reports.sales_figures(NOW).average_order_value == Decimal("180.13")


def test_no_orders_gives_zero_figures(db):
    figures = reports.sales_figures(NOW)

    assert figures.revenue_today == Decimal("0.00")
    assert figures.orders_last_30_days == 0
    assert figures.average_order_value == Decimal("0.00")


def test_daily_revenue_has_one_entry_per_day_with_zero_for_quiet_days(known_orders):
    series = reports.daily_revenue(NOW)

    assert len(series) == 30
    assert series[0].day.isoformat() == "2026-02-14"
    assert series[-1].day.isoformat() == "2026-03-15"
    by_day = {point.day.isoformat(): (point.revenue, point.orders) for point in series}
    assert by_day["2026-02-14"] == (Decimal("50.00"), 1)
    assert by_day["2026-03-14"] == (Decimal("320.00"), 1)
    assert by_day["2026-03-15"] == (Decimal("350.50"), 2)
    assert by_day["2026-03-01"] == (Decimal("0.00"), 0)
    assert sum(point.revenue for point in series) == Decimal("720.50")


def test_orders_count_on_the_shops_local_day(product_index, customer, settings):
    settings.TIME_ZONE = "America/New_York"
    laptop = make_product(product_index, "Laptop", price="100.00")
    # 02:00 UTC on March 15 is still the evening of March 14 in New York.
    evening = datetime(2026, 3, 15, 2, 0, tzinfo=ZoneInfo("UTC"))
    make_order(customer, [(laptop, 1)], date_ordered=evening)

    series = reports.daily_revenue(NOW)

    assert reports.sales_figures(NOW).orders_today == 0
    assert {point.day.isoformat(): point.orders for point in series}["2026-03-14"] == 1


def test_each_figure_is_a_single_query(known_orders, django_assert_num_queries):
    with django_assert_num_queries(1):
        reports.sales_figures(NOW)
    with django_assert_num_queries(1):
        reports.daily_revenue(NOW)
