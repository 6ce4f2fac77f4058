"""The benchmark catalogue written in bulk, on PostgreSQL as the benchmark runs it: a tree
Wagtail can keep working on, and products shoppers find by their name and SKU."""

import pytest
from django.db import connection
from modelsearch.backends import get_search_backend
from modelsearch.backends.database.postgres.postgres import IndexEntry
from wagtail.models import Page

from bench.catalogue import seed_catalogue
from products.models import ProductIndexPage, ProductPage
from products.search_index import add_to_index
from tests.factories import make_product

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark seeds and searches PostgreSQL"
    ),
]


def quietly_seed(total):
    return seed_catalogue(total, log=lambda message: None, pool_size=3)


def generated_products():
    return ProductPage.objects.live().filter(title__contains=" G000")


def test_bulk_seeded_products_are_found_by_title_and_sku_on_the_search_page(client):
    quietly_seed(60)
    product = generated_products().order_by("-path").first()
    sku = product.variants.order_by("sort_order").first().sku

    by_title = client.get("/search/", {"query": product.title})
    by_sku = client.get("/search/", {"query": sku})

    assert product.url in by_title.content.decode()
    assert product.url in by_sku.content.decode()
    assert client.get(product.url).status_code == 200
    # Published last, so first among the newest.
    newest = client.get(product.get_parent().url, {"sort": "newest"})
    assert product.url in newest.content.decode()


def test_a_product_added_in_the_editor_after_a_bulk_seed_takes_the_next_place_in_the_tree():
    quietly_seed(60)
    index = ProductIndexPage.objects.get()
    last = index.get_last_child()

    added = make_product(index, title="Editor laptop")

    assert Page.find_problems() == ([], [], [], [], [])
    assert index.get_children().count() == 61
    assert added.path > last.path and added.url_path == f"{index.url_path}editor-laptop/"


def test_search_entries_written_in_bulk_are_those_the_search_backend_writes():
    quietly_seed(40)
    products = list(generated_products().prefetch_related("tags", "variants"))
    columns = ["content_type", "object_id", "title", "autocomplete", "body", "title_text",
               "body_text"]

    def entries():
        return set(IndexEntry.objects.filter(
            object_id__in=[str(product.pk) for product in products]
        ).values_list(*columns))

    add_to_index(ProductPage, products)
    ours = entries()
    get_search_backend().add_bulk(ProductPage, products)

    assert len(ours) == len(products)
    assert ours == entries()
