from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from commerce.customers.models import Customer
from home.demo_content import PRODUCTS
from home.models import HomePage
from products.models import ProductPage

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "pages": Page.objects.count(),
        "products": ProductPage.objects.live().count(),
        "images": get_image_model().objects.count(),
        "revisions": Revision.objects.count(),
        "users": get_user_model().objects.count(),
        "customers": Customer.objects.count(),
    }


def test_seed_demo_builds_a_browsable_shop():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert len(PRODUCTS) >= 24
    assert ProductPage.objects.live().count() == len(PRODUCTS)
    assert len(set(ProductPage.objects.values_list("brand", flat=True))) >= 5
    assert ProductPage.objects.filter(image__isnull=True).count() == 0
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.specific.featured_products.count() >= 4
    assert Customer.objects.count() >= 3
    assert f"[{len(PRODUCTS)}/{len(PRODUCTS)}]" in out.getvalue()


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == first
    assert "0 product(s) added" in out.getvalue()


def test_seeded_home_page_serves_with_featured_products(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.get("/")
    assert response.status_code == 200
    assert b"MacBook Air 13 M3" in response.content
    assert response.content.count(b'class="product-card"') >= 4
