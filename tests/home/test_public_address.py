"""One public address (SHOP_BASE_URL): every absolute link the shop hands out is built on it,
whatever the Wagtail Site's hostname (localhost in these tests) or the request's Host."""

import json
import re

import pytest
from django.core import mail
from wagtail.models import Page, get_page_models

from commerce.customers.accounts import send_email_confirmation
from config.env import public_base_url
from home.shared.public_address import PublicAddressMixin
from tests.factories import make_image, make_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PUBLIC = "https://shop.example.com"


@pytest.fixture
def public_address(settings):
    """The shop configured as in production: base.py derives Wagtail's two settings from it."""
    settings.SHOP_BASE_URL = settings.WAGTAILADMIN_BASE_URL = PUBLIC
    settings.WAGTAILAPI_BASE_URL = PUBLIC


@pytest.fixture
def laptop(product_index):
    return make_product(
        product_index, "Aero 14", image=make_image("Aero 14"), short_description="Light."
    )


def test_the_sitemap_and_robots_txt_point_at_the_public_address(client, laptop, public_address):
    sitemap = client.get("/sitemap.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()

    assert re.findall(r"<loc>([^<]+)</loc>", sitemap) == [
        f"{PUBLIC}/", f"{PUBLIC}/shop/", f"{PUBLIC}/shop/aero-14/",
    ]
    assert "localhost" not in sitemap
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in robots.splitlines()


def test_product_structured_data_links_to_the_public_address(client, laptop, public_address):
    html = client.get(laptop.url, HTTP_HOST="127.0.0.1").content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(script.group(1))

    assert data["url"] == f"{PUBLIC}/shop/aero-14/"
    assert data["offers"]["url"] == f"{PUBLIC}/shop/aero-14/"
    assert data["image"][0].startswith(f"{PUBLIC}/media/images/")


def test_the_api_links_to_the_public_address(client, laptop, public_address):
    item = client.get("/api/v2/products/").json()["items"][0]

    assert item["meta"]["html_url"] == f"{PUBLIC}/shop/aero-14/"
    assert item["image_card"]["full_url"].startswith(f"{PUBLIC}/media/images/")


def test_emails_link_to_the_public_address(customer, public_address):
    send_email_confirmation(customer, "sam@example.com")

    links = re.findall(r"https?://[^\s\"<>]+", mail.outbox[-1].body)
    assert links and all(link.startswith(f"{PUBLIC}/accounts/") for link in links)


def test_every_page_type_of_the_shop_builds_its_full_url_on_the_public_address():
    shop_page_models = [model for model in get_page_models() if model is not Page]

    assert shop_page_models
    for model in shop_page_models:
        assert issubclass(model, PublicAddressMixin), model


@pytest.mark.parametrize(
    ("value", "address"),
    [("https://shop.example.com/", PUBLIC), ("http://127.0.0.1:8000", "http://127.0.0.1:8000")],
)
def test_the_public_address_is_kept_as_scheme_and_host(value, address):
    assert public_base_url(value) == address


def test_canonical_link_and_link_previews_use_the_public_address(client, laptop, public_address):
    html = client.get(laptop.url, HTTP_HOST="127.0.0.1").content.decode()

    assert f'<link rel="canonical" href="{PUBLIC}/shop/aero-14/">' in html
    assert f'<meta property="og:url" content="{PUBLIC}/shop/aero-14/">' in html
    assert re.search(rf'<meta property="og:image" content="{PUBLIC}/media/images/', html)
    assert "localhost" not in html and "127.0.0.1" not in html
