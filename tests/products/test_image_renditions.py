"""Product pictures are resized once; later visits reuse the stored renditions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model

from tests.factories import make_image, make_product

pytestmark = pytest.mark.django_db

Rendition = get_image_model().get_rendition_model()


def pictured_products(index, count, start=0):
    return [
        make_product(index, f"Pictured {n:03}", image=make_image(f"Picture {n:03}"))
        for n in range(start, start + count)
    ]


def listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/shop/").status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_second_listing_visit_creates_no_renditions(client, product_index):
    pictured_products(product_index, 4)
    client.get("/shop/")
    renditions = Rendition.objects.count()

    queries = listing_queries(client)

    assert renditions >= 4
    assert Rendition.objects.count() == renditions
    assert not [sql for sql in queries if sql.lstrip().upper().startswith("INSERT")]


def test_second_product_page_visit_creates_no_renditions(client, product_index):
    [product] = pictured_products(product_index, 1)
    client.get(product.url)
    renditions = Rendition.objects.count()

    client.get(product.url)

    assert renditions >= 1
    assert Rendition.objects.count() == renditions


def test_listing_queries_do_not_grow_with_the_pictured_products_shown(client, product_index):
    pictured_products(product_index, 3)
    client.get("/shop/")
    with_three = len(listing_queries(client))

    pictured_products(product_index, 9, start=3)
    client.get("/shop/")

    assert len(listing_queries(client)) == with_three
