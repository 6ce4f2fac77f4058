import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.orders.models import Order
from commerce.reports.dashboard import RevenueChart, nice_ceiling
from commerce.reports.sales import DailyRevenue
from commerce.reviews.models import Review
from tests.factories import (
    make_admin_user,
    make_customer,
    make_order,
    make_product,
    make_review,
    make_staff_user,
)

SALES_PANEL = 'id="shop-sales-section"'
ORDERS_PANEL = 'id="shop-recent-orders-section"'
REVIEWS_PANEL = 'id="shop-reviews-section"'


@pytest.fixture
def todays_orders(product_index):
    customer = make_customer(name="Ada Lovelace")
    laptop = make_product(product_index, "Laptop", price="1234.50")
    monitor = make_product(product_index, "Monitor", price="700.00")
    placed = make_order(customer, [(laptop, 1)])
    cancelled = make_order(customer, [(monitor, 1)], status="cancelled")
    make_order(customer, [(monitor, 3)], status="cart")
    return placed, cancelled


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_superuser_sees_todays_revenue_without_cancelled_orders_or_carts(client, todays_orders):
    page = dashboard(client, make_staff_user("boss"))

    figures = re.search(r'<dl class="shop-dashboard__figures">(.*?)</dl>', page, re.S).group(1)
    assert re.findall(r"<dd>(.*?)</dd>", figures) == [
        "$1,234.50", "1", "$1,234.50", "1", "$1,234.50",
    ]


def test_sales_chart_is_an_accessible_svg_with_a_table_fallback(client, todays_orders):
    page = dashboard(client, make_staff_user("boss"))

    assert '<svg role="img" aria-labelledby="shop-sales-chart-title shop-sales-chart-desc"' in page
    assert '<title id="shop-sales-chart-title">Daily revenue, last 30 days</title>' in page
    assert "The best day was" in page
    assert page.count('class="shop-dashboard__bar"') == 30
    table = re.search(r"<table class=\"listing\">\s*<caption.*?</table>", page, re.S).group(0)
    assert table.count('<th scope="row">') == 30
    assert "$1,234.50" in table
    assert "<script" not in re.search(r'<svg role="img".*?</svg>', page, re.S).group(0)


def test_sales_chart_axis_is_labelled_in_the_shops_currency(client, todays_orders, settings):
    settings.SHOP_CURRENCY = "EUR"

    page = dashboard(client, make_staff_user("boss"))

    chart = re.search(r'<svg role="img".*?</svg>', page, re.S).group(0)
    assert ">€0</text>" in chart
    assert "$" not in chart


def test_staff_with_the_sales_report_permission_see_revenue(client, todays_orders):
    analyst = make_admin_user("analyst", ["commerce.view_sales_report"])

    page = dashboard(client, analyst)

    assert SALES_PANEL in page
    assert "Revenue today" in page


def test_marketers_do_not_see_revenue_or_orders(client, todays_orders):
    marketer = make_admin_user("marketer", ["wagtailimages.add_image", "wagtailcore.add_page"])

    page = dashboard(client, marketer)

    assert SALES_PANEL not in page
    assert "Revenue today" not in page
    assert ORDERS_PANEL not in page
    assert "$1,234.50" not in page


def test_order_staff_see_recent_orders_but_not_revenue(client, todays_orders):
    fulfilment = make_admin_user("packer", ["commerce.view_order"])

    page = dashboard(client, fulfilment)

    assert SALES_PANEL not in page
    placed, cancelled = todays_orders
    orders = panel(page, ORDERS_PANEL)
    assert placed.number in orders
    assert cancelled.number in orders  # cancelled orders are listed, with their status
    assert "Cancelled" in orders
    assert "Ada Lovelace" in orders
    inspect = reverse(Order.snippet_viewset.get_url_name("inspect"), args=[placed.pk])
    assert f'href="{inspect}"' in orders
    assert table_headers(orders) == ["Order", "Customer", "Status", "Total", "Ordered"]
    assert len(table_rows(orders)) == 2  # the two placed orders; the cart is not an order
    assert re.search(rf'<a href="{inspect}">\s*{placed.number}\s*</a>', "".join(table_rows(orders)))


def panel(page, marker):
    return re.search(rf"{marker}.*?</section>", page, re.S).group(0)


def table_headers(html):
    """The column headings of the first table in html."""
    thead = re.search(r"<thead>.*?</thead>", html, re.S).group(0)
    return re.findall(r"<th\b[^>]*>\s*(.*?)\s*</th>", thead, re.S)


def table_rows(html):
    """The body rows of the first table in html, as HTML."""
    tbody = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    return re.findall(r"<tr\b.*?</tr>", tbody, re.S)


def test_reviews_panel_lists_the_last_weeks_published_reviews_lowest_rating_first(
    client, product_index
):
    laptop = make_product(product_index, "Zenith Air")
    mouse = make_product(product_index, "Orbit Mouse")
    ada, grace, alan = (
        make_customer("ada", "Ada Lovelace"),
        make_customer("grace", "Grace Hopper"),
        make_customer("alan", "Alan Turing"),
    )
    make_review(ada, laptop, rating=5)
    make_review(grace, laptop, rating=1)
    make_review(alan, laptop, rating=2, status="hidden")
    last_month = make_review(ada, mouse, rating=1)
    Review.objects.filter(pk=last_month.pk).update(created_at=timezone.now() - timedelta(days=8))

    page = dashboard(client, make_admin_user("moderator", ["commerce.view_review"]))

    reviews = panel(page, REVIEWS_PANEL)
    assert "2 reviews published in the last 7 days" in reviews
    assert table_headers(reviews) == ["Product", "Customer", "Rating", "Posted"]
    lowest = table_rows(reviews)[0]
    assert "Grace Hopper" in lowest and "1 out of 5" in lowest
    inspect = r"/admin/snippets/commerce/review/inspect/\d+/"
    assert re.search(rf'<a href="{inspect}">\s*Zenith Air\s*</a>', lowest)
    assert reviews.index("Grace Hopper") < reviews.index("Ada Lovelace")
    assert "Alan Turing" not in reviews  # already hidden
    assert "Orbit Mouse" not in reviews  # older than a week
    assert len(re.findall(r">\s*Low\s*</span>", reviews)) == 1  # the one-star review
    assert SALES_PANEL not in page and ORDERS_PANEL not in page


def test_staff_who_cannot_see_reviews_get_no_reviews_panel(client, product_index):
    make_review(make_customer(), make_product(product_index, "Zenith Air"), rating=1)

    page = dashboard(client, make_admin_user("packer", ["commerce.view_order"]))

    assert REVIEWS_PANEL not in page


def test_dashboard_queries_do_not_grow_with_orders(client, product_index,
                                                   django_assert_max_num_queries):
    customer = make_customer()
    laptop = make_product(product_index, "Laptop", price="10.00")
    boss = make_staff_user("boss")
    client.force_login(boss)
    make_order(customer, [(laptop, 1)])
    client.get(reverse("wagtailadmin_home"))  # warm caches (site root, user profile)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("wagtailadmin_home"))
    for _ in range(10):
        make_order(customer, [(laptop, 2)])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("wagtailadmin_home"))


def test_chart_bars_are_scaled_to_a_round_maximum():
    start = date(2026, 3, 1)
    series = [DailyRevenue(start + timedelta(days=n), Decimal("0.00"), 0) for n in range(29)]
    series.append(DailyRevenue(date(2026, 3, 30), Decimal("350.50"), 2))

    chart = RevenueChart.from_series(series)

    assert chart.scale_max == Decimal("500")
    plot_height = RevenueChart.PLOT_BOTTOM - RevenueChart.PLOT_TOP
    assert chart.bars[-1].height == Decimal("133.2")  # 190 × 350.50 / 500
    assert chart.bars[-1].y == Decimal(RevenueChart.PLOT_BOTTOM) - Decimal("133.2")
    assert all(bar.height == 0 for bar in chart.bars[:-1])
    assert chart.bars[-1].height < plot_height
    assert chart.peak.day == date(2026, 3, 30)
    assert [bar.label for bar in chart.bars if bar.label] == [
        "Mar 2", "Mar 9", "Mar 16", "Mar 23", "Mar 30",
    ]


@pytest.mark.parametrize(
    ("amount", "ceiling"),
    [("0", "100"), ("0.40", "1"), ("7", "10"), ("10", "10"), ("120", "200"),
     ("350.50", "500"), ("5001", "10000")],
)
def test_chart_scale_rounds_up_to_one_two_or_five(amount, ceiling):
    assert nice_ceiling(Decimal(amount)) == Decimal(ceiling)
