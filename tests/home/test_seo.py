"""What search engines are told: the sitemap of live public pages, and robots.txt."""

import re

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import make_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_the_sitemap_lists_the_home_page_the_catalogue_and_each_live_product(
    client, product_index
):
    laptop = make_product(product_index, "Aero 14")

    locations = sitemap_locations(client)

    assert locations == [
        "http://testserver/",
        "http://testserver/shop/",
        f"http://testserver{laptop.url}",
    ]


def test_unpublished_and_private_products_stay_out_of_the_sitemap(client, product_index):
    make_product(product_index, "Draft Laptop", live=False)
    private = make_product(product_index, "Staff Laptop")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    withdrawn = make_product(product_index, "Old Laptop")
    withdrawn.unpublish()

    locations = " ".join(sitemap_locations(client))

    assert "draft-laptop" not in locations
    assert "staff-laptop" not in locations
    assert "old-laptop" not in locations


def test_the_sitemap_is_built_once_an_hour_at_most(client, product_index):
    first = sitemap_locations(client)
    make_product(product_index, "Aero 16")

    response = client.get("/sitemap.xml")

    assert sitemap_locations(client) == first
    assert "max-age=3600" in response["Cache-Control"]


def test_robots_txt_keeps_crawlers_out_of_carts_checkout_accounts_and_admin(client, home_page):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for path in ("/admin/", "/cart/", "/checkout/", "/accounts/", "/search/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
