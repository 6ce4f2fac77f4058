import json
import re

import pytest

from tests.factories import make_image, make_product

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
