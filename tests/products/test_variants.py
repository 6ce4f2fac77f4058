"""Products sold in several configurations: the picker, the cart and checkout per variant,
stock per variant, and the bulk discount counted per line (one variant)."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.orders.models import OrderStatus
from commerce.orders.status import change_status
from products.ledger import StockMovement
from products.models import ProductPage
from products.variants import ProductVariant
from tests.factories import (
    make_customer,
    make_placed_order,
    make_product,
    make_staff_user,
    make_variants,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def xps(product_index):
    product = make_product(product_index, "XPS 13", price="1299.00", ram=16)
    make_variants(
        product,
        {"sku": "XPS13-16-512", "ram_gb": 16, "storage_gb": 512, "stock": 10},
        {"sku": "XPS13-32-512", "ram_gb": 32, "storage_gb": 512, "price": "1499.00",
         "stock": 10},
        {"sku": "XPS13-32-1TB", "ram_gb": 32, "storage_gb": 1024, "price": "1699.00",
         "stock": 0},
    )
    return product


def variant(sku):
    return ProductVariant.objects.get(sku=sku)


def test_the_product_page_shows_the_first_configuration_and_a_picker(client, xps):
    html = client.get(xps.url).content.decode()

    assert "$1,299.00" in html
    assert 'href="?variant=XPS13-32-512"' in html  # 32 GB with the 512 GB chosen now
    assert "SKU <span>XPS13-16-512</span>" in html
    assert f'name="variant" value="{variant("XPS13-16-512").pk}"' in html


def test_a_variant_in_the_address_is_shown_with_its_price_and_choices(client, xps):
    html = client.get(f"{xps.url}?variant=XPS13-32-512").content.decode()

    assert "$1,499.00" in html
    assert f'name="variant" value="{variant("XPS13-32-512").pk}"' in html
    # 1 TB exists only with 32 GB and is sold out: shown, not offered.
    assert 'href="?variant=XPS13-32-1TB"' not in html
    assert "1 TB<span class=\"visually-hidden\"> (unavailable)</span>" in html
    assert 'href="?variant=XPS13-16-512"' in html


def test_a_sold_out_configuration_cannot_be_added(client, xps):
    html = client.get(f"{xps.url}?variant=XPS13-32-1TB").content.decode()

    assert "$1,699.00" in html
    assert "Out of stock: this configuration cannot be added" in html


def test_an_unknown_sku_shows_the_first_configuration(client, xps):
    response = client.get(f"{xps.url}?variant=NOPE")

    assert response.status_code == 200
    assert "$1,299.00" in response.content.decode()


def test_the_spec_table_lists_the_options_the_configurations_differ_by(client, xps):
    html = client.get(xps.url).content.decode()

    assert "<th scope=\"row\">RAM</th><td>16 GB, 32 GB</td>" in html
    assert "<th scope=\"row\">Storage</th><td>512 GB, 1 TB</td>" in html


def test_each_configuration_is_its_own_cart_line(client, xps):
    for sku in ("XPS13-16-512", "XPS13-32-512"):
        client.post("/cart/add/", {"product": xps.pk, "variant": variant(sku).pk,
                                   "quantity": 1})

    html = client.get("/cart/").content.decode()

    assert "XPS 13 (16 GB RAM, 512 GB Storage)" in html
    assert "XPS 13 (32 GB RAM, 512 GB Storage)" in html
    assert "$2,798.00" in html


def test_a_product_with_configurations_needs_one_chosen(client, xps):
    response = client.post("/cart/add/", {"product": xps.pk, "quantity": 1}, follow=True)

    assert "Choose a configuration of XPS 13 first." in response.content.decode()
    assert client.get("/cart/").context["cart"].is_empty


def test_a_variant_of_another_product_is_refused(client, xps, product_index):
    other = make_product(product_index, "Other Laptop", price="10.00")

    response = client.post(
        "/cart/add/", {"product": other.pk, "variant": variant("XPS13-16-512").pk,
                       "quantity": 1}, follow=True,
    )

    assert "Sorry, that product is not for sale." in response.content.decode()


def test_a_sold_out_variant_is_refused_by_the_cart(client, xps):
    response = client.post(
        "/cart/add/", {"product": xps.pk, "variant": variant("XPS13-32-1TB").pk,
                       "quantity": 1}, follow=True,
    )

    assert "Sorry, XPS 13 (32 GB RAM, 1 TB Storage) is out of stock." in (
        response.content.decode()
    )


def test_four_units_of_one_configuration_get_the_bulk_discount(xps):
    customer = make_customer()
    cart = CustomerCart(customer)
    add_to_cart(cart, xps.pk, 4, variant("XPS13-16-512").pk)

    assert cart.contents().totals.discount > 0


def test_two_units_each_of_two_configurations_do_not(xps):
    customer = make_customer()
    cart = CustomerCart(customer)
    add_to_cart(cart, xps.pk, 2, variant("XPS13-16-512").pk)
    add_to_cart(cart, xps.pk, 2, variant("XPS13-32-512").pk)

    totals = cart.contents().totals
    assert totals.discount == 0
    assert totals.subtotal == 2 * variant("XPS13-16-512").unit_price + 2 * variant(
        "XPS13-32-512").unit_price


def test_checkout_takes_stock_per_variant_and_the_line_records_what_was_sold(xps):
    customer = make_customer()
    cart = CustomerCart(customer)
    add_to_cart(cart, xps.pk, 3, variant("XPS13-32-512").pk)

    order = make_placed_order(customer)

    item = order.items.get()
    assert (item.sku, item.options, item.unit_price, item.product_name) == (
        "XPS13-32-512", "32 GB RAM, 512 GB Storage", variant("XPS13-32-512").price, "XPS 13"
    )
    assert variant("XPS13-32-512").stock == 7
    assert variant("XPS13-16-512").stock == 10
    assert ProductPage.objects.get(pk=xps.pk).stock == 17  # the total of the configurations
    sale = StockMovement.objects.get(variant=variant("XPS13-32-512"))
    assert (sale.change, sale.balance) == (-3, 7)

    change_status(order, OrderStatus.CANCELLED, user=make_staff_user())

    assert variant("XPS13-32-512").stock == 10


def test_the_listing_shows_from_the_lowest_price(client, xps, product_index):
    html = client.get(product_index.url).content.decode()

    assert "From $1,299.00" in html


def test_ram_facet_and_filter_follow_the_configurations(client, xps, product_index):
    make_product(product_index, "Plain 8", price="500.00", ram=8)

    page = client.get(product_index.url)
    ram = {option.value: option.count for option in page.context["listing"].facets.ram_sizes}
    filtered = client.get(product_index.url, {"ram": 32}).context["listing"]

    assert ram == {"8": 1, "16": 1, "32": 1}
    assert [product.title for product in filtered.products] == ["XPS 13"]


def test_a_price_range_matches_on_a_configurations_price(client, xps, product_index):
    make_product(product_index, "Plain 8", price="1400.00", ram=8)

    found = client.get(product_index.url, {"min_price": "1450", "max_price": "1550"})

    assert [p.title for p in found.context["listing"].products] == ["XPS 13"]
    facets = client.get(product_index.url).context["listing"].facets
    assert (facets.lowest_price, facets.highest_price) == (
        variant("XPS13-16-512").unit_price, variant("XPS13-32-1TB").unit_price
    )


def test_sorting_by_price_uses_the_lowest_configuration_price(client, xps, product_index):
    make_product(product_index, "Plain 1300", price="1300.00", ram=8)

    found = client.get(product_index.url, {"sort": "price"}).context["listing"].products

    assert [p.title for p in found] == ["XPS 13", "Plain 1300"]  # from 1,299 before 1,300


def test_listing_queries_do_not_grow_with_the_number_of_variants(client, product_index):
    products = [make_product(product_index, f"Laptop {n}", ram=32) for n in range(6)]
    queries = {}
    # The per-process lookups (site, menus, the sales the price sort asks about) are held
    # from here.
    client.get(f"{product_index.url}?sort=price")
    for label in ("one configuration each", "three each"):
        for query in ("", "?ram=32", "?min_price=1&max_price=5000&sort=price"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{product_index.url}{query}").status_code == 200
            queries[label, query] = len(captured)
        for product in products:
            make_variants(product, {"ram_gb": 16}, {"ram_gb": 32, "price": "1100.00"},
                          {"ram_gb": 64, "price": "1500.00"})
        cache.clear()

    for query in ("", "?ram=32", "?min_price=1&max_price=5000&sort=price"):
        assert queries["three each", query] == queries["one configuration each", query]


def test_the_json_ld_has_an_offer_per_configuration(client, xps):
    html = client.get(xps.url).content.decode()
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])

    offers = {offer["sku"]: offer for offer in data["offers"]}
    assert set(offers) == {"XPS13-16-512", "XPS13-32-512", "XPS13-32-1TB"}
    assert offers["XPS13-32-512"]["price"] == "1499.00"
    assert offers["XPS13-32-512"]["url"].endswith("/xps-13/?variant=XPS13-32-512")
    assert offers["XPS13-32-1TB"]["availability"] == "https://schema.org/OutOfStock"
    assert offers["XPS13-16-512"]["availability"] == "https://schema.org/InStock"


def test_the_api_exposes_the_configurations(client, xps, django_assert_max_num_queries):
    detail = client.get(f"/api/v2/products/{xps.pk}/").json()

    by_sku = {variant["sku"]: variant for variant in detail["variants"]}
    assert by_sku["XPS13-32-1TB"] == {
        "sku": "XPS13-32-1TB", "options": {"ram_gb": 32, "storage_gb": 1024},
        "label": "32 GB RAM, 1 TB Storage", "price": "1699.00", "in_stock": False,
        "stock_state": "Out of stock",
    }
    assert by_sku["XPS13-16-512"]["price"] == "1299.00"  # the product's price
    assert (detail["price_from"], detail["price_to"]) == ("1299.00", "1699.00")


@pytest.mark.parametrize("words", ["XPS13-32-1TB", "midnight"])
def test_search_finds_a_product_by_a_sku_or_an_option_value(client, product_index, words):
    laptop = make_product(product_index, "Air Book", price="999.00")
    make_variants(
        laptop,
        {"sku": "XPS13-32-1TB", "colour": "Midnight", "stock": 2},
        {"sku": "AIR-SILVER", "colour": "Silver"},
    )
    ProductPage.objects.get(pk=laptop.pk).save_revision().publish()  # indexes the variants
    make_product(product_index, "Other Book", price="999.00")

    results = client.get("/search/", {"query": words}).context["search_results"]

    assert [page.title for page in results] == ["Air Book"]


def test_a_choice_without_its_exact_combination_leads_to_the_closest_one(client, product_index):
    laptop = make_product(product_index, "Two Step", price="1000.00")
    make_variants(
        laptop,
        {"sku": "TS-16-512", "ram_gb": 16, "storage_gb": 512},
        {"sku": "TS-32-1TB", "ram_gb": 32, "storage_gb": 1024, "price": "1400.00"},
        {"sku": "TS-64-1TB", "ram_gb": 64, "storage_gb": 1024, "stock": 0},
    )

    html = client.get(laptop.url).content.decode()

    # No 32 GB with 512 GB: choosing 32 GB (or 1 TB) shows the 32 GB, 1 TB configuration.
    assert html.count('href="?variant=TS-32-1TB"') == 2
    # 64 GB exists only sold out: shown, not offered.
    assert 'href="?variant=TS-64-1TB"' not in html
    assert "64 GB<span class=\"visually-hidden\"> (unavailable)</span>" in html
