import re

import pytest
from django.core.cache import cache

from tests.factories import make_image, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_renditions_of_other_tests():
    # Renditions are cached by image id, which the next test's database hands out again.
    cache.clear()
    yield
    cache.clear()


def related_titles(html):
    """The product names on the related products' cards, in page order."""
    section = re.search(r'<section class="related-products".*?</section>', html, re.S)
    if section is None:
        return []
    return re.findall(r'<h3 class="product-card__title">(.*?)</h3>', section.group(0))


@pytest.fixture
def laptop(product_index):
    return make_product(
        product_index, "ThinkPad T14", brand="Lenovo", tags=["business", "student"]
    )


def test_products_sharing_brand_or_tags_are_suggested_best_match_first(
    client, product_index, laptop
):
    make_product(product_index, "ThinkPad X1", brand="Lenovo", tags=["business"])
    make_product(product_index, "Dell Latitude", brand="Dell", tags=["business", "student"])
    make_product(product_index, "IdeaPad Slim", brand="Lenovo")
    make_product(product_index, "HP Envy", brand="HP", tags=["student"])
    make_product(product_index, "Razer Blade", brand="Razer", tags=["gaming"])

    titles = related_titles(client.get(laptop.url).content.decode())

    # X1: brand and one tag; Latitude: two tags; then one match each, by name.
    assert titles == ["Dell Latitude", "ThinkPad X1", "HP Envy", "IdeaPad Slim"]


def test_at_most_four_related_products_and_never_the_product_itself(
    client, product_index, laptop
):
    for number in range(6):
        make_product(product_index, f"Lenovo {number}", brand="Lenovo")

    titles = related_titles(client.get(laptop.url).content.decode())

    assert titles == ["Lenovo 0", "Lenovo 1", "Lenovo 2", "Lenovo 3"]


def test_unpublished_and_private_products_are_not_suggested(client, product_index, laptop):
    make_product(product_index, "Lenovo Draft", brand="Lenovo", live=False)
    make_product(product_index, "Lenovo Live", brand="Lenovo")

    assert related_titles(client.get(laptop.url).content.decode()) == ["Lenovo Live"]


def test_a_product_with_nothing_in_common_shows_no_related_section(client, product_index):
    lonely = make_product(product_index, "Lonely", brand="Nobody")
    make_product(product_index, "Other", brand="Someone", tags=["gaming"])

    html = client.get(lonely.url).content.decode()

    assert "related-products" not in html
    assert related_titles(html) == []


def test_related_cards_are_the_shop_cards_with_link_price_and_picture(
    client, product_index, laptop
):
    make_product(
        product_index, "ThinkPad X1", brand="Lenovo", price="1899.00", image=make_image("X1")
    )

    html = client.get(laptop.url).content.decode()
    section = re.search(r'<section class="related-products".*?</section>', html, re.S).group(0)

    assert '<a class="product-card__link" href="/shop/thinkpad-x1/">' in section
    assert "$1,899.00" in section
    assert 'class="product-card__image"' in section


def test_product_page_queries_do_not_grow_with_related_products(
    client, product_index, laptop, django_assert_max_num_queries
):
    make_product(
        product_index, "Lenovo 0", brand="Lenovo", tags=["business"], image=make_image("0")
    )
    client.get(laptop.url)
    cache.clear()
    with django_assert_max_num_queries(25) as one_card:
        client.get(laptop.url)
    # Read now: the next request empties the connection's query log.
    bound = len(one_card.captured_queries)
    for number in range(1, 4):
        make_product(
            product_index, f"Lenovo {number}", brand="Lenovo", tags=["student"],
            image=make_image(str(number)),
        )
    client.get(laptop.url)  # makes the new cards' renditions
    cache.clear()

    with django_assert_max_num_queries(bound):
        response = client.get(laptop.url)
    assert len(related_titles(response.content.decode())) == 4
