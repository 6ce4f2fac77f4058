"""The listing's filters as a phone shopper meets them: behind a "Filters and sorting" toggle
that works without JavaScript (<details>), open while filters apply, every brand listed.
tests/browser/test_mobile.py checks the layout itself at 390 px."""

import re

import pytest

from tests.factories import make_product

pytestmark = pytest.mark.django_db

BRANDS = ["Acer", "Apple", "Asus", "Dell", "Framework", "HP", "Lenovo", "MSI", "Razer",
          "Samsung", "Microsoft", "LG", "Toshiba", "Huawei"]


@pytest.fixture
def catalogue(product_index):
    for number, brand in enumerate(BRANDS):
        make_product(product_index, f"Laptop {number}", brand=brand)
    return product_index


def filters_toggle(html):
    return re.search(r"<details class=\"catalogue__filters-toggle\"( open)?>\s*"
                     r"<summary>Filters and sorting</summary>\s*<form class=\"catalogue__filters\"",
                     html)


def test_the_filters_sit_behind_a_toggle_that_starts_closed(client, catalogue):
    html = client.get("/shop/").content.decode()

    toggle = filters_toggle(html)
    assert toggle and toggle.group(1) is None
    assert "<script" not in html.split('class="catalogue"')[1].split("</details>")[0]


def test_the_toggle_is_open_while_filters_apply(client, catalogue):
    toggle = filters_toggle(client.get("/shop/", {"brand": "Dell"}).content.decode())

    assert toggle and toggle.group(1) == " open"


def test_the_brand_filter_lists_every_brand(client, catalogue):
    html = client.get("/shop/").content.decode()

    listed = re.findall(r'name="brand" value="([^"]+)"', html)
    assert sorted(listed) == sorted(BRANDS)
