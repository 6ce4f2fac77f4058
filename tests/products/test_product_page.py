import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from commerce.promotions.models import Voucher, VoucherKind
from commerce.reviews.rules import REVIEWS_PER_PAGE
from products.models import ProductGalleryImage
from products.variants import ProductVariant
from tests.factories import (
    make_customer,
    make_image,
    make_product,
    make_review,
    make_shipping_method,
    make_variants,
)

pytestmark = pytest.mark.django_db


def structured_data(html, kind="Product"):
    """The one JSON-LD document of type `kind` on the page."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    documents = [json.loads(script) for script in scripts]
    matching = [document for document in documents if document["@type"] == kind]
    assert len(matching) == 1
    return matching[0]


@pytest.fixture
def product(product_index):
    return make_product(
        product_index,
        "Lenovo ThinkPad T14",
        price="1249.00",
        stock=3,
        features=[
            ("brand", "Lenovo"),
            ("model", "T14 Gen 5"),
            ("processor", "AMD Ryzen 7 PRO 8840U"),
            ("ram", 16),
            ("feature", {"label_text": "Battery", "value_text": "12 hours"}),
        ],
        tags=["business", "student"],
        image=make_image("Lenovo ThinkPad T14"),
        short_description="A sturdy 14-inch business laptop.",
    )


def test_product_page_shows_name_price_and_spec_table(client, product):
    html = client.get(product.url).content.decode()

    assert html.count("<h1") == 1
    assert "<h1>Lenovo ThinkPad T14</h1>" in html
    assert "$1,249.00" in html
    assert '<tr><th scope="row">Processor</th><td>AMD Ryzen 7 PRO 8840U</td></tr>' in html
    assert '<tr><th scope="row">RAM</th><td>16 GB</td></tr>' in html
    assert '<tr><th scope="row">Battery</th><td>12 hours</td></tr>' in html


def test_product_picture_comes_in_several_sizes_with_alt_text(client, product):
    html = client.get(product.url).content.decode()

    picture = re.search(r'<img[^>]*class="product__image"[^>]*>', html).group(0)
    assert re.search(r'srcset="[^"]*fill-400x300[^"]* 400w, [^"]*fill-800x600[^"]* 800w"', picture)
    assert 'sizes="' in picture
    assert 'alt="Lenovo ThinkPad T14"' in picture


def test_tags_link_to_the_shop_filtered_by_that_tag(client, product_index, product):
    make_product(product_index, "Gaming Rig", tags=["gaming"])
    html = client.get(product.url).content.decode()

    assert '<a href="/shop/?tag=business" rel="tag">business</a>' in html
    listing = client.get("/shop/?tag=business").context["listing"]
    assert [p.title for p in listing.products] == ["Lenovo ThinkPad T14"]


def test_structured_data_describes_the_product_for_search_engines(client, product):
    data = structured_data(client.get(product.url).content.decode())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Lenovo ThinkPad T14"
    assert data["description"] == "A sturdy 14-inch business laptop."
    assert data["brand"] == {"@type": "Brand", "name": "Lenovo"}
    assert data["model"] == "T14 Gen 5"
    assert data["url"] == "http://testserver/shop/lenovo-thinkpad-t14/"
    assert re.fullmatch(r"http://testserver/media/images/.*fill-800x600.*\.png", data["image"][0])
    # Shipping and returns are commerce's (tests/commerce/shipping/test_structured_data.py).
    offer = {
        key: value for key, value in data["offers"].items()
        if key not in ("shippingDetails", "hasMerchantReturnPolicy")
    }
    assert offer == {
        "@type": "Offer",
        "price": "1249.00",
        "priceCurrency": "USD",
        "availability": "https://schema.org/InStock",
        "url": "http://testserver/shop/lenovo-thinkpad-t14/",
    }


def test_a_sold_out_product_says_so_on_the_page_and_to_search_engines(client, product_index):
    product = make_product(product_index, "Sold Out Book", stock=0)

    html = client.get(product.url).content.decode()

    assert "Out of stock" in html
    assert structured_data(html)["offers"]["availability"] == "https://schema.org/OutOfStock"


def test_a_product_without_tracked_stock_is_in_stock(client, product_index):
    product = make_product(product_index, "Untracked Book", stock=None)

    html = client.get(product.url).content.decode()

    assert "Out of stock" not in html
    assert structured_data(html)["offers"]["availability"] == "https://schema.org/InStock"


def test_text_in_structured_data_cannot_close_its_script_element(client, product_index):
    product = make_product(
        product_index, "Evil Book", short_description="</script><script>alert(1)</script>"
    )

    html = client.get(product.url).content.decode()

    assert "<script>alert(1)" not in html
    assert structured_data(html)["description"] == "</script><script>alert(1)</script>"


def test_an_unpublished_product_is_not_found(client, product):
    product.unpublish()

    assert client.get("/shop/lenovo-thinkpad-t14/").status_code == 404


def test_a_draft_only_product_is_not_found(client, product_index):
    make_product(product_index, "Secret Book", live=False)

    assert client.get("/shop/secret-book/").status_code == 404


# Everything a product page shows, read with nothing cached: the fixed lookups' version, the
# product with its tags, variants and gallery, the gallery's and variants' pictures, the
# related products, the renditions of every picture, the reviews with their rating.
PRODUCT_PAGE_QUERY_BOUND = 6


def add_to_gallery(product, count):
    for number in range(count):
        ProductGalleryImage.objects.create(
            page=product, image=make_image(f"{product.title} {number}"),
            alt_text=f"Photo {number}", sort_order=number,
        )


def sell_in_configurations(product, count):
    make_variants(product, *[
        {"sku": f"{product.slug}-{number}", "ram_gb": 8 * (number + 1),
         "price": f"{1000 + number * 100}.00", "stock": 5,
         "image": make_image(f"{product.title} config {number}")}
        for number in range(count)
    ])


def add_reviews(product, count, start=0):
    for number in range(start, start + count):
        make_review(make_customer(f"reviewer{product.pk}-{number}"), product, rating=4,
                    content=f"Review number {number}.")


@pytest.fixture
def shop_with_offers(product_index, seller):
    make_shipping_method()
    Voucher.objects.create(code="WELCOME10", kind=VoucherKind.PERCENTAGE, value=Decimal("10"),
                           public=True)


def rich_product(product_index, title, *, catalogue_size, configurations, reviews, photos):
    for number in range(catalogue_size):
        make_product(product_index, f"{title} sibling {number}", brand="Lenovo",
                     tags=["business"], image=make_image(f"{title} sibling {number}"))
    product = make_product(
        product_index, title, brand="Lenovo", tags=["business", "student"],
        image=make_image(title), promotions=[("current_offers", {})],
    )
    sell_in_configurations(product, configurations)
    add_to_gallery(product, photos)
    add_reviews(product, reviews)
    return product


@pytest.mark.parametrize("size", [
    {"catalogue_size": 2, "configurations": 2, "reviews": 1, "photos": 1},
    {"catalogue_size": 8, "configurations": 4, "reviews": 12, "photos": 4},
])
def test_a_product_page_with_variants_reviews_and_gallery_costs_at_most_six_queries(
    product_index, shop_with_offers, get_within_queries, size
):
    product = rich_product(product_index, "ThinkPad X1", **size)

    response = get_within_queries(product.url, {}, PRODUCT_PAGE_QUERY_BOUND)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="gallery__picture"') == 1 + size["photos"]
    assert len(response.context["reviews"]) == min(size["reviews"], REVIEWS_PER_PAGE)
    assert response.context["rating_summary"].count == size["reviews"]
    assert len(response.context["related_products"]) == min(size["catalogue_size"], 4)
    assert len(response.context["variant_picker"].variants) == size["configurations"]
    assert "WELCOME10" in html
    assert '<a href="/shop/?tag=student" rel="tag">student</a>' in html
    assert structured_data(html)["offers"][0]["shippingDetails"]


def test_a_product_page_costs_as_many_queries_whatever_the_numbers_around_it(
    product_index, shop_with_offers, client
):
    small = rich_product(product_index, "Small", catalogue_size=1, configurations=2, reviews=1,
                         photos=1)
    large = rich_product(product_index, "Large", catalogue_size=6, configurations=5, reviews=15,
                         photos=5)

    assert queries_for(client, small.url) == queries_for(client, large.url)


def test_a_plain_product_page_costs_at_most_six_queries(
    product_index, get_within_queries, product
):
    response = get_within_queries(product.url, {}, PRODUCT_PAGE_QUERY_BOUND)

    assert "<h1>Lenovo ThinkPad T14</h1>" in response.content.decode()


def queries_for(client, url):
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_variants_and_gallery_show_in_the_editors_order(client, product_index):
    product = make_product(product_index, "Ordered Book")
    first, second = make_variants(product, {"sku": "ORD-A", "ram_gb": 8},
                                  {"sku": "ORD-B", "ram_gb": 16})
    ProductVariant.objects.filter(pk=first.pk).update(sort_order=5)
    add_to_gallery(product, 2)
    ProductGalleryImage.objects.filter(page=product, alt_text="Photo 0").update(sort_order=9)

    context = client.get(product.url).context

    assert [v.sku for v in context["variant_picker"].variants] == ["ORD-B", "ORD-A"]
    assert [p.alt for p in context["gallery"]] == ["Photo 1", "Photo 0"]


def test_a_variants_sale_price_and_stock_read_with_the_page_are_exact(client, product_index):
    product = make_product(product_index, "Exact Book", price="1999.99")
    make_variants(product, {"sku": "EX-1", "price": "1234.57", "sale_price": "1111.11",
                            "stock": 2}, {"sku": "EX-2", "stock": 0, "active": False})

    variants = client.get(product.url).context["variant_picker"].variants

    assert [(v.sku, v.price, v.sale_price, v.stock) for v in variants] == [
        ("EX-1", Decimal("1234.57"), Decimal("1111.11"), 2)
    ]


def test_a_product_in_a_private_section_asks_for_a_log_in(client, product_index, product):
    PageViewRestriction.objects.create(page=product_index, restriction_type="login")

    response = client.get(product.url)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_product_that_is_not_there_is_not_found(client, product_index, product):
    assert client.get("/shop/no-such-laptop/").status_code == 404
    assert client.get("/shop/lenovo-thinkpad-t14/more/").status_code == 404
    assert client.get("/no-such-section/lenovo-thinkpad-t14/").status_code == 404
