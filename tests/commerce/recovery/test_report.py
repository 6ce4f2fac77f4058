"""The abandoned-cart recovery report: its figures, its period, and who sees it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce import pricing
from commerce.orders.models import Order, OrderStatus
from commerce.recovery.models import CartReminder, ReminderOutcome
from commerce.recovery.report import recovery_figures
from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from tests.factories import make_admin_user, make_customer, make_order, make_product

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Reported Laptop", price="100.00")


def reminder(email, days_ago=1, outcome=ReminderOutcome.REMINDED):
    return CartReminder.objects.create(
        email=email, lines={}, outcome=outcome,
        abandoned_at=timezone.now() - timedelta(days=days_ago, hours=10),
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def order_by(customer, laptop, days_ago, status=OrderStatus.PAID, units=1):
    return make_order(customer, [(laptop, units)], status=status,
                      date_ordered=timezone.now() - timedelta(days=days_ago))


def test_the_report_counts_abandoned_reminded_recovered_and_revenue(laptop):
    ada = make_customer("ada", "Ada", email="ada@example.com")
    bob = make_customer("bob", "Bob", email="bob@example.com")
    cy = make_customer("cy", "Cy", email="cy@example.com")
    reminder("ADA@example.com", days_ago=5)
    order_by(ada, laptop, days_ago=2, units=2)  # recovered: $200
    order_by(ada, laptop, days_ago=1)  # a later order of the same reminder: not counted
    reminder("bob@example.com", days_ago=9)
    order_by(bob, laptop, days_ago=1)  # 8 days after the reminder: not recovered
    reminder("cy@example.com", days_ago=3)
    order_by(cy, laptop, days_ago=2, status=OrderStatus.CANCELLED)  # not a sale
    reminder("dee@example.com", days_ago=2, outcome=ReminderOutcome.UNSUBSCRIBED)

    figures = recovery_figures(TODAY - timedelta(days=29), TODAY)

    assert (figures.abandoned, figures.reminded, figures.recovered) == (4, 3, 1)
    assert figures.revenue == Decimal("200.00")


def test_an_order_before_the_reminder_is_not_recovered(laptop):
    ada = make_customer("ada", "Ada", email="ada@example.com")
    order_by(ada, laptop, days_ago=3)
    reminder("ada@example.com", days_ago=2)

    assert recovery_figures(TODAY - timedelta(days=6), TODAY).recovered == 0


def test_the_period_leaves_out_older_carts(laptop):
    reminder("ada@example.com", days_ago=10)
    reminder("bob@example.com", days_ago=1)

    assert recovery_figures(TODAY - timedelta(days=6), TODAY).abandoned == 1
    assert recovery_figures(TODAY - timedelta(days=29), TODAY).abandoned == 2


def test_marketers_see_the_report_page_with_a_period_filter(staff_client, laptop):
    reminder("ada@example.com", days_ago=10)
    reminder("bob@example.com", days_ago=1)
    client = staff_client(MARKETERS)
    url = reverse("cart_recovery_report")

    week = client.get(url, {"days": 7}).content.decode()
    month = client.get(url).content.decode()

    assert "Carts abandoned</th><td>1<" in week
    assert "Carts abandoned</th><td>2<" in month
    assert "Revenue recovered" in month
    assert client.get(url, {"days": "nonsense"}).status_code == 200


@pytest.mark.parametrize("role", [SUPPORT, FULFILMENT])
def test_other_staff_are_refused(staff_client, role):
    response = staff_client(role).get(reverse("cart_recovery_report"))

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_the_sales_report_permission_opens_it(client):
    client.force_login(make_admin_user(
        "seller", ["commerce.view_sales_report"]
    ))

    assert client.get(reverse("cart_recovery_report")).status_code == 200


def test_the_order_of_a_reminded_customer_cart_counts_as_recovered(customer, laptop):
    cart = make_order(customer, [(laptop, 3)], status=OrderStatus.CART)
    reminder(customer.email, days_ago=1)
    Order.objects.filter(pk=cart.pk).update(
        status=OrderStatus.PLACED, date_ordered=timezone.now(), billing_email=customer.email,
        number="R000001",
    )
    pricing.recalculate_order(Order.objects.get(pk=cart.pk))

    figures = recovery_figures(TODAY - timedelta(days=1), TODAY)
    assert figures.recovered == 1 and figures.revenue == Decimal("300.00")
