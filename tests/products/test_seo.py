"""What a crawler or a link preview reads on the shop's pages: meta description, canonical
link, Open Graph and Twitter cards, the product's JSON-LD (identifiers, reviews) and the
breadcrumb trail."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from tests.factories import make_customer, make_image, make_product, make_review, variant_of
from tests.products.test_product_page import structured_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


class HeadTags(HTMLParser):
    """The <meta> and <link> elements of a page, as attribute dicts."""

    def __init__(self):
        super().__init__()
        self.metas, self.links = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append(dict(attrs))
        elif tag == "link":
            self.links.append(dict(attrs))


def head(client, url, **params):
    parser = HeadTags()
    parser.feed(client.get(url, params).content.decode())
    return parser


def meta(tags, key):
    """The content of the one meta tag named (name= or property=) `key`, or None."""
    found = [m["content"] for m in tags.metas if key in (m.get("name"), m.get("property"))]
    assert len(found) <= 1, found
    return found[0] if found else None


def canonical(tags):
    return [link["href"] for link in tags.links if link.get("rel") == "canonical"]


@pytest.fixture
def laptop(product_index):
    return make_product(
        product_index,
        "Lenovo ThinkPad T14",
        price="1249.00",
        features=[
            ("brand", "Lenovo"),
            ("model", "T14 Gen 5"),
            ("feature", {"label_text": "Part number", "value_text": "21MC0013GE"}),
            ("feature", {"label_text": "EAN", "value_text": "0197528123456"}),
        ],
        image=make_image("Lenovo ThinkPad T14"),
        short_description="A sturdy 14-inch business laptop.",
    )


def test_a_product_is_described_by_its_short_description(client, laptop):
    tags = head(client, laptop.url)

    assert meta(tags, "description") == "A sturdy 14-inch business laptop."
    assert canonical(tags) == ["http://testserver/shop/lenovo-thinkpad-t14/"]


def test_the_editors_search_description_wins(client, laptop):
    laptop.search_description = "Buy the T14 today."
    laptop.save_revision().publish()

    assert meta(head(client, laptop.url), "description") == "Buy the T14 today."


def test_without_a_short_description_a_plain_excerpt_of_the_description_is_used(
    client, product_index
):
    words = " ".join(["word"] * 80)
    body = f"<p>Fast &amp; <b>quiet</b>. {words}</p>"
    product = make_product(product_index, "Plain Book", body=body)

    description = meta(head(client, product.url), "description")

    assert description.startswith("Fast & quiet. word word")
    assert "<" not in description
    assert len(description) <= 160 and description.endswith("…")


def test_a_product_without_any_text_is_described_by_its_specs(client, product_index):
    product = make_product(product_index, "Bare Book", brand="Acme", ram=8)

    assert meta(head(client, product.url), "description").startswith("Acme 8 GB")


def test_link_previews_show_the_product_with_its_picture_on_the_public_address(client, laptop):
    tags = head(client, laptop.url)

    assert meta(tags, "og:type") == "product"
    assert meta(tags, "og:title") == "Lenovo ThinkPad T14"
    assert meta(tags, "og:description") == "A sturdy 14-inch business laptop."
    assert meta(tags, "og:url") == "http://testserver/shop/lenovo-thinkpad-t14/"
    image = meta(tags, "og:image")
    assert image.startswith("http://testserver/media/images/") and "fill-800x600" in image
    assert (meta(tags, "og:image:width"), meta(tags, "og:image:height")) == ("800", "600")
    assert meta(tags, "product:price:amount") == "1249.00"
    assert meta(tags, "product:price:currency") == "USD"
    assert meta(tags, "twitter:card") == "summary_large_image"
    assert meta(tags, "twitter:image") == image
    assert structured_data(client.get(laptop.url).content.decode())["image"] == [image]


def test_the_listing_and_home_page_have_a_description_canonical_link_and_card(
    client, product_index, home_page
):
    product_index.intro = "<p>Every laptop we sell, with the specs that matter.</p>"
    product_index.save_revision().publish()
    home_page.save_revision().publish()

    listing = head(client, "/shop/", brand="Dell", page="2")
    home = head(client, "/")

    assert meta(listing, "description") == "Every laptop we sell, with the specs that matter."
    # Filters are left out of the canonical link; a later page keeps its number.
    assert canonical(listing) == ["http://testserver/shop/?page=2"]
    assert meta(listing, "og:type") == "website"
    assert meta(listing, "twitter:card") == "summary"
    assert meta(home, "description")
    assert canonical(home) == ["http://testserver/"]


def test_product_json_ld_names_sku_mpn_gtin_and_brand(client, laptop):
    data = structured_data(client.get(laptop.url).content.decode())

    assert data["sku"] == variant_of(laptop).sku
    assert data["mpn"] == "21MC0013GE"
    assert data["gtin"] == "0197528123456"
    assert data["brand"] == {"@type": "Brand", "name": "Lenovo"}


def test_product_json_ld_lists_the_newest_published_reviews_escaped(client, laptop):
    for number in range(7):
        make_review(
            make_customer(f"buyer{number}", name=f"Buyer{number} Smith"), laptop,
            rating=4, content=f"Review {number}",
        )
    make_review(
        make_customer("evil", name="Eve Hacker"), laptop, rating=1,
        content="</script><script>alert(1)</script>",
    )
    make_review(make_customer("hidden", name="Hid Den"), laptop, content="Hidden", status="hidden")

    html = client.get(laptop.url).content.decode()
    data = structured_data(html)

    assert "<script>alert(1)" not in html
    reviews = data["review"]
    assert [review["reviewBody"] for review in reviews] == [
        "</script><script>alert(1)</script>", "Review 6", "Review 5", "Review 4", "Review 3",
    ]
    assert reviews[0]["author"] == {"@type": "Person", "name": "Eve H."}
    assert reviews[0]["reviewRating"]["ratingValue"] == 1
    assert data["aggregateRating"]["reviewCount"] == 8


def test_a_product_without_reviews_names_none(client, laptop):
    data = structured_data(client.get(laptop.url).content.decode())

    assert "review" not in data and "aggregateRating" not in data


def test_breadcrumbs_lead_from_home_to_the_product_for_shoppers_and_crawlers(client, laptop):
    html = client.get(laptop.url).content.decode()

    trail = structured_data(html, "BreadcrumbList")["itemListElement"]
    assert [(item["position"], item["name"], item["item"]) for item in trail] == [
        (1, "Storefront", "http://testserver/"),
        (2, "Shop", "http://testserver/shop/"),
        (3, "Lenovo ThinkPad T14", "http://testserver/shop/lenovo-thinkpad-t14/"),
    ]
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in html
    assert '<a href="/shop/">Shop</a>' in html
    assert '<span aria-current="page">Lenovo ThinkPad T14</span>' in html


def test_product_page_queries_do_not_grow_with_reviews(
    client, laptop, django_assert_max_num_queries
):
    make_review(make_customer("first", name="First Buyer"), laptop)
    client.get(laptop.url)
    cache.clear()
    # The page also loads its gallery and related products, a fixed number of queries each,
    # and the shipping methods and return policy of its JSON-LD offer.
    with django_assert_max_num_queries(26) as few:
        client.get(laptop.url)
    for number in range(8):
        make_review(make_customer(f"more{number}", name=f"More {number}"), laptop)
    cache.clear()

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(laptop.url)
