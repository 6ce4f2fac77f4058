import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from home.models import HomePageFeaturedProduct
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_home_page_shows_featured_products_in_the_editors_order(client, home_page, product_index):
    first = make_product(product_index, "Zeta Book", price="1500.00")
    second = make_product(product_index, "Alpha Book", price="700.00")
    make_product(product_index, "Not Featured Book")
    HomePageFeaturedProduct.objects.create(page=home_page, product=first, sort_order=0)
    HomePageFeaturedProduct.objects.create(page=home_page, product=second, sort_order=1)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Zeta Book") < html.index("Alpha Book")
    assert "Not Featured Book" not in html
    assert "$1,500.00" in html


def test_an_unpublished_featured_product_is_not_shown(client, home_page, product_index):
    product = make_product(product_index, "Withdrawn Book")
    HomePageFeaturedProduct.objects.create(page=home_page, product=product, sort_order=0)
    product.unpublish()

    response = client.get("/")

    assert response.status_code == 200
    assert "Withdrawn Book" not in response.content.decode()


def test_home_page_has_one_h1_a_skip_link_and_the_search_box(client, home_page):
    html = client.get("/").content.decode()
    assert html.count("<h1") == 1
    assert 'href="#main"' in html
    assert 'role="search"' in html


def test_unknown_address_answers_with_the_shops_404_page(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'role="search"' in response.content.decode()


def test_dev_superuser_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("create_dev_superuser")
