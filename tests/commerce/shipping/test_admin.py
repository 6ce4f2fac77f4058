"""Staff set up shipping methods and tax rates in the Wagtail admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.shipping.models import ShippingMethod, TaxRate
from home.shared.roles import FULFILMENT
from tests.factories import make_staff_in_role

pytestmark = pytest.mark.django_db


def test_fulfilment_adds_a_method_serving_chosen_states(client, home_page):
    client.force_login(make_staff_in_role(FULFILMENT))

    response = client.post(reverse("wagtailsnippets_commerce_shippingmethod:add"), {
        "name": "Ground", "delivery_estimate": "5–7 business days", "flat_price": "6.50",
        "price_per_kg": "", "free_above": "250", "states": ["OR", "WA"], "sort_order": "0",
        "active": "on",
    })

    assert response.status_code == 302
    method = ShippingMethod.objects.get()
    assert (method.states, method.free_above, method.price_per_kg) == (
        ["OR", "WA"], Decimal("250.00"), None
    )
    assert method.serves("WA") and not method.serves("CA")


def test_a_negative_price_is_refused_on_its_field(admin_client, home_page):
    response = admin_client.post(reverse("wagtailsnippets_commerce_shippingmethod:add"), {
        "name": "Odd", "delivery_estimate": "soon", "flat_price": "-1", "sort_order": "0",
    })

    assert response.status_code == 200
    assert "flat_price" in response.context["form"].errors
    assert not ShippingMethod.objects.exists()


def test_a_state_has_one_tax_rate(admin_client, home_page):
    TaxRate.objects.create(state="CA", rate=Decimal("7.25"))

    response = admin_client.post(
        reverse("wagtailsnippets_commerce_taxrate:add"), {"state": "CA", "rate": "8"}
    )

    assert response.status_code == 200
    assert "state" in response.context["form"].errors
    assert TaxRate.objects.get().rate == Decimal("7.250")
