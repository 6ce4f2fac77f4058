"""The benchmark catalogue: quick to build, and as sound as one built in the editor."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from wagtail.models import Page

from bench.catalogue import seed_catalogue
from bench.load import FORM_CONTENT_TYPE
from bench.management.commands.seed_benchmark import Command as SeedBenchmark
from bench.scenarios import ShopUnderTest
from products.models import ProductPage

pytestmark = pytest.mark.django_db


def quietly_seed(total):
    return seed_catalogue(total, log=lambda message: None, pool_size=3)


def test_catalogue_is_topped_up_with_sound_searchable_products_sharing_few_pictures(client):
    added = quietly_seed(40)

    assert added == 40 - 28  # the demo shop's 28 laptops come first
    assert ProductPage.objects.live().count() == 40
    assert Page.find_problems() == ([], [], [], [], [])
    generated = ProductPage.objects.live().filter(title__contains=" G000")
    assert generated.values("image").distinct().count() <= 3
    product = generated.first()
    assert product.brand and product.ram_gb and product.tags.exists()
    assert client.get(product.url).status_code == 200
    assert product in ProductPage.objects.live().search(product.title.split(" G")[0])


def test_seeding_again_adds_nothing():
    quietly_seed(30)
    assert quietly_seed(30) == 0
    assert ProductPage.objects.count() == 30


def test_seed_command_refuses_a_catalogue_of_no_products():
    with pytest.raises(CommandError, match="positive number"):
        call_command(SeedBenchmark(), products=0)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's statistics")
def test_the_database_plans_for_the_seeded_catalogue_not_the_empty_one():
    quietly_seed(40)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'wagtailcore_page'")
        [(rows_planned_for,)] = cursor.fetchall()

    assert rows_planned_for >= 40


def test_a_third_of_the_generated_products_are_sold_in_three_configurations(client):
    quietly_seed(40)

    generated = ProductPage.objects.live().filter(title__contains=" G000").with_variant_count()
    counts = sorted(product.variant_count for product in generated)
    assert counts == [1] * 8 + [3] * 4  # products 28 to 39; every third has three
    configured = generated.filter(variant_count=3).first()
    variants = list(configured.variants.order_by("sort_order"))
    assert len({variant.unit_price for variant in variants}) == 3
    assert configured.stock == sum(variant.stock for variant in variants)
    assert configured.has_price_range
    page = client.get(f"{configured.url}?variant={variants[2].sku}")
    assert page.status_code == 200 and variants[2].sku in page.content.decode()
    assert client.get(configured.get_parent().url).status_code == 200
    assert configured in ProductPage.objects.live().search(variants[1].sku)


def test_the_benchmark_adds_variants_to_carts(client):
    quietly_seed(40)
    shop = ShopUnderTest()
    paths, bodies = shop.add_to_cart_requests()
    client.force_login(shop.users[0])

    for path, body in zip(paths[:3], bodies[:3], strict=True):
        response = client.post(path, body, content_type=FORM_CONTENT_TYPE, follow=True)
        assert response.redirect_chain == [(reverse("commerce:cart"), 302)]
        assert "Added 1 ×" in response.content.decode()

    assert client.get(shop.product.url).status_code == 200
    assert "listing, filtered" in dict(shop.pages)
    for _label, path in shop.pages:
        assert client.get(path).status_code == 200, path
