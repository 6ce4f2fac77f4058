import pytest
from django.urls import reverse

from home.models import HomePage
from products.models import ProductIndexPage, ProductPage
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_a_product_index_holds_only_products():
    assert ProductIndexPage.allowed_subpage_models() == [ProductPage]


def test_products_live_only_under_a_product_index(home_page, product_index):
    assert ProductPage.can_create_at(product_index)
    assert not ProductPage.can_create_at(home_page)
    assert ProductPage.allowed_parent_page_models() == [ProductIndexPage]


def test_a_product_index_lives_under_the_home_page(home_page, product_index):
    assert ProductIndexPage.allowed_parent_page_models() == [HomePage]
    assert not ProductIndexPage.can_create_at(product_index)


def test_a_product_has_no_child_pages(product_index):
    product = make_product(product_index)
    assert ProductPage.allowed_subpage_models() == []
    assert not ProductPage.can_create_at(product)


def test_the_admin_refuses_to_add_a_product_outside_a_product_index(admin_client, home_page):
    url = reverse("wagtailadmin_pages:add", args=["products", "productpage", home_page.pk])

    response = admin_client.post(url, {"title": "Stray", "slug": "stray", "price": "10.00"})

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not ProductPage.objects.filter(slug="stray").exists()


def test_adding_a_page_to_the_shop_goes_straight_to_the_product_form(admin_client, product_index):
    response = admin_client.get(reverse("wagtailadmin_pages:add_subpage", args=[product_index.pk]))

    assert response.status_code == 302
    assert response.url == reverse(
        "wagtailadmin_pages:add", args=["products", "productpage", product_index.pk]
    )
