"""What a shopper sees of stock before adding to the cart: "In stock", "Only N left" and
"Out of stock" on the listing card and the product page; a sold-out product cannot be added."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import make_product

pytestmark = pytest.mark.django_db


class Texts(HTMLParser):
    """The text of each element with a given class."""

    def __init__(self, css_class):
        super().__init__()
        self.css_class, self.depth, self.found = css_class, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(html, css_class):
    parser = Texts(css_class)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


@pytest.fixture
def shelf(product_index):
    return {
        stock: make_product(product_index, f"Laptop {label}", stock=stock)
        for stock, label in ((None, "untracked"), (40, "plenty"), (5, "five"), (1, "one"),
                             (0, "none"))
    }


def test_listing_cards_tell_the_stock_state(client, shelf):
    html = client.get("/shop/").content.decode()

    cards = texts(html, "product-card")
    states = {card.split(" $")[0].split(" Acme")[0]: card for card in cards}
    assert "In stock" in states["Laptop untracked"]
    assert "In stock" in states["Laptop plenty"]
    assert "Only 5 left" in states["Laptop five"]
    assert "Only 1 left" in states["Laptop one"]
    assert "Out of stock" in states["Laptop none"]


@pytest.mark.parametrize(
    ("stock", "state"),
    [(None, "In stock"), (6, "In stock"), (5, "Only 5 left"), (3, "Only 3 left"),
     (0, "Out of stock")],
)
def test_the_product_page_tells_the_stock_state(client, product_index, stock, state):
    product = make_product(product_index, "Book", stock=stock)

    html = client.get(product.url).content.decode()

    assert texts(html, "product__stock") == [state]
    assert ('action="/cart/add/"' in html) is (stock != 0)


def test_the_low_stock_threshold_is_a_setting(client, product_index, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 10
    product = make_product(product_index, "Book", stock=8)

    assert texts(client.get(product.url).content.decode(), "product__stock") == ["Only 8 left"]


def test_a_sold_out_product_says_it_cannot_be_added_and_the_cart_refuses_it(
    client, product_index
):
    product = make_product(product_index, "Sold Out Book", stock=0)

    html = client.get(product.url).content.decode()
    response = client.post(
        "/cart/add/", {"product": product.pk, "quantity": 1, "next": product.url}, follow=True
    )

    assert "cannot be added to the cart" in " ".join(texts(html, "add-to-cart"))
    assert "Add to cart" not in html
    assert "out of stock" in response.content.decode()
    assert "Sold Out Book" not in client.get("/cart/").content.decode()


def test_the_description_comes_before_the_reviews(client, product_index):
    product = make_product(product_index, "Book", body="<p>Made of recycled aluminium.</p>")

    html = client.get(product.url).content.decode()

    assert html.index("Made of recycled aluminium.") < html.index('id="reviews-heading"')
    assert re.search(r'<h2 id="description-heading">Description</h2>', html)
