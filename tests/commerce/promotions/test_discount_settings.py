from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Site

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.promotions.models import BulkDiscountSettings
from home.shared import fixed_lookups
from tests.factories import make_customer, make_product, make_product_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, home_page):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(admin)
    return client


def settings_url():
    site = Site.objects.get(is_default_site=True)
    return f"/admin/settings/commerce/bulkdiscountsettings/{site.pk}/"


def test_the_bulk_discount_is_edited_in_the_wagtail_settings(admin_client):
    page = admin_client.get(settings_url())
    assert page.status_code == 200
    assert "Bulk discount on" in page.content.decode()

    response = admin_client.post(
        settings_url(), {"enabled": "on", "threshold": "5", "percentage": "12.5"}
    )

    assert response.status_code == 302
    saved = BulkDiscountSettings.objects.get()
    assert (saved.enabled, saved.threshold, saved.percentage) == (True, 5, Decimal("12.50"))


@pytest.mark.parametrize("percentage", ["90.01", "95", "150"])
def test_a_discount_above_90_percent_is_refused_and_the_setting_kept(admin_client, percentage):
    admin_client.post(settings_url(), {"enabled": "on", "threshold": "3", "percentage": "15"})

    response = admin_client.post(
        settings_url(), {"enabled": "on", "threshold": "3", "percentage": percentage}
    )

    assert response.status_code == 200
    assert "The discount cannot be more than 90 percent." in response.content.decode()
    assert BulkDiscountSettings.objects.get().percentage == Decimal("15.00")


def test_a_discount_of_exactly_90_percent_is_accepted(admin_client):
    response = admin_client.post(
        settings_url(), {"enabled": "on", "threshold": "3", "percentage": "90"}
    )
    assert response.status_code == 302
    assert BulkDiscountSettings.objects.get().percentage == Decimal("90.00")


def test_a_new_percentage_prices_the_next_cart_page_of_any_worker(admin_client, home_page):
    customer = make_customer()
    add_to_cart(CustomerCart(customer), make_product(make_product_index(home_page)).pk, 4)
    shopper = Client()
    shopper.force_login(customer.user)
    assert "Bulk discount (20% off)" in shopper.get("/cart/").content.decode()
    other_worker_memory = dict(fixed_lookups._held)

    admin_client.post(settings_url(), {"enabled": "on", "threshold": "3", "percentage": "15"})
    fixed_lookups._held.update(other_worker_memory)  # a worker that held the rule as it was

    assert "Bulk discount (15% off)" in shopper.get("/cart/").content.decode()
