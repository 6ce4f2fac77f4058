"""The product editor and the admin's product listings, as a marketer uses them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from products.models import ProductPage
from tests.factories import (
    edit_url,
    make_product,
    make_variants,
    open_editor,
    put_on_shelf,
)

pytestmark = pytest.mark.django_db


def live(product):
    return ProductPage.objects.get(pk=product.pk)


# The stock field of the product's one variant in the editor.
STOCK = "variants-0-stock"


def sell(product, units):
    """What checkout does to stock: a decrement on the live row."""
    put_on_shelf(product, live(product).stock - units)


@pytest.fixture
def product(product_index):
    return make_product(product_index, "Edited Book", price="1299.00", stock=10)


def test_editor_groups_fields_in_content_specs_pricing_and_promote_tabs(admin_client, product):
    html = admin_client.get(edit_url(product)).content.decode()

    for tab in ("Content", "Specs", "Pricing and stock", "Promote"):
        assert f">{tab}<" in html.replace("\n", "").replace("  ", "")


def test_stock_help_text_tells_editors_changes_apply_immediately(admin_client, product):
    html = admin_client.get(edit_url(product)).content.decode()

    assert "applies to the shop immediately when you save" in html


def test_a_negative_price_is_refused_with_a_message(admin_client, product):
    data = open_editor(admin_client, product)
    data["price"] = "-5.00"

    response = admin_client.post(edit_url(product), data)

    assert response.status_code == 200
    assert "The price cannot be negative." in response.content.decode()
    assert live(product).get_latest_revision().content["price"] == "1299.00"


def test_a_price_with_more_than_two_decimal_places_is_refused(admin_client, product):
    data = open_editor(admin_client, product)
    data["price"] = "12.345"

    response = admin_client.post(edit_url(product), data)

    assert response.status_code == 200
    assert "Ensure that there are no more than 2 decimal places." in response.content.decode()


def test_a_valid_price_is_published(admin_client, product):
    data = open_editor(admin_client, product)
    data["price"] = "1199.50"
    data["action-publish"] = "action-publish"

    response = admin_client.post(edit_url(product), data)

    assert response.status_code == 302
    assert str(live(product).price) == "1199.50"


def test_zero_ram_in_the_specs_is_refused_with_a_clear_message(admin_client, product):
    data = open_editor(admin_client, product)
    data["features-1-value"] = "0"  # the RAM block of make_product's specs

    response = admin_client.post(edit_url(product), data)

    assert response.status_code == 200
    assert "RAM must be a whole number of gigabytes greater than zero." in (
        response.content.decode()
    )


def test_a_stock_change_in_a_draft_applies_to_the_live_product_at_once(admin_client, product):
    data = open_editor(admin_client, product)
    data[STOCK] = "25"
    data["title"] = "Edited Book, second edition"

    response = admin_client.post(edit_url(product), data)

    assert response.status_code == 302
    assert live(product).stock == 25
    assert live(product).title == "Edited Book"  # the rest waits for publishing
    assert live(product).has_unpublished_changes


def test_a_form_opened_before_some_sales_keeps_the_sold_down_stock(admin_client, product):
    data = open_editor(admin_client, product)
    sell(product, 3)
    data["price"] = "1249.00"
    data["action-publish"] = "action-publish"

    admin_client.post(edit_url(product), data)

    assert live(product).stock == 7
    assert str(live(product).price) == "1249.00"


def test_a_restock_typed_into_a_stale_form_is_what_the_editor_counted(admin_client, product):
    data = open_editor(admin_client, product)
    sell(product, 3)
    data[STOCK] = "40"
    data["action-publish"] = "action-publish"

    admin_client.post(edit_url(product), data)

    assert live(product).stock == 40


def test_emptying_stock_stops_tracking_it(admin_client, product):
    data = open_editor(admin_client, product)
    data[STOCK] = ""

    admin_client.post(edit_url(product), data)

    assert live(product).stock is None
    assert live(product).in_stock


def test_a_stale_form_does_not_rewind_the_stock_of_an_unpublished_product(
    admin_client, product_index
):
    draft = make_product(product_index, "Draft Book", stock=10, live=False)
    data = open_editor(admin_client, draft)
    sell(draft, 4)
    data["title"] = "Draft Book renamed"

    admin_client.post(edit_url(draft), data)

    assert live(draft).title == "Draft Book renamed"
    assert live(draft).stock == 6


def test_autosave_hands_the_new_count_back_so_later_autosaves_do_not_repeat_it(
    admin_client, product
):
    data = open_editor(admin_client, product)
    data[STOCK] = "30"

    response = admin_client.post(edit_url(product), data, HTTP_ACCEPT="application/json")

    assert response.json()["field_updates"]["initial-variants-0-stock"] == "30"
    assert live(product).stock == 30

    sell(product, 2)
    for name, value in response.json()["field_updates"].items():
        data[name] = value
    data["loaded_revision_id"] = str(response.json()["revision_id"])
    admin_client.post(edit_url(product), data, HTTP_ACCEPT="application/json")

    assert live(product).stock == 28


def test_reverting_to_an_old_version_keeps_the_live_stock(admin_client, product):
    first_revision = product.get_latest_revision()
    data = open_editor(admin_client, product)
    data["price"] = "1499.00"
    data["action-publish"] = "action-publish"
    admin_client.post(edit_url(product), data)
    sell(product, 5)
    revert_url = reverse(
        "wagtailadmin_pages:revisions_revert", args=[product.pk, first_revision.pk]
    )

    data = open_editor(admin_client, product, url=revert_url)
    data["action-publish"] = "action-publish"
    admin_client.post(revert_url, data)

    assert str(live(product).price) == "1299.00"
    assert live(product).stock == 5


def test_publishing_a_stored_revision_keeps_the_live_stock(product):
    revision = product.get_latest_revision()  # saved while stock was 10
    sell(product, 6)

    revision.publish()

    assert live(product).stock == 4


def test_preview_shows_unsaved_price_and_specs(admin_client, product):
    data = open_editor(admin_client, product)
    data["price"] = "1111.00"
    data["features-0-value"] = "Preview Brand"
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[product.pk])

    assert admin_client.post(preview_url, data).json()["is_valid"]
    html = admin_client.get(preview_url).content.decode()

    assert "$1,111.00" in html
    assert "Preview Brand" in html
    assert str(live(product).price) == "1299.00"


def test_preview_of_a_new_product_renders(admin_client, product_index):
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["products", "productpage", product_index.pk]
    )
    data = nested_form_data(
        {
            "title": "Brand New Book",
            "slug": "brand-new-book",
            "price": "899.00",
            "variants": inline_formset([{"sku": "BRAND-NEW-BOOK", "stock": "", "active": "on"}]),
            "features": streamfield([("brand", "Newco"), ("ram", "8")]),
            "promotions": streamfield([]),
            "gallery_images": inline_formset([]),
        }
    )

    assert admin_client.post(preview_url, data).json()["is_valid"]
    html = admin_client.get(preview_url).content.decode()

    assert "Brand New Book" in html
    assert "8 GB" in html
    assert "$899.00" in html


def test_the_shops_page_listing_shows_price_and_stock(admin_client, product_index):
    make_product(product_index, "Tracked Book", price="1299.00", stock=12)
    make_product(product_index, "Untracked Book", price="499.00", stock=None)

    html = admin_client.get(reverse("wagtailadmin_explore", args=[product_index.pk])).content
    html = html.decode()

    assert "Price" in html and "Stock" in html
    assert "1299.00" in html and "499.00" in html
    assert "Not tracked" in html


def test_the_products_menu_lists_every_product_with_price_and_stock(admin_client, product):
    admin_home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    products_url = reverse("wagtailadmin_pages:type_use", args=["products", "productpage"])
    assert products_url in admin_home

    html = admin_client.get(products_url).content.decode()

    assert "Edited Book" in html
    assert "1299.00" in html


def test_the_products_listing_exports_price_and_stock(admin_client, product):
    products_url = reverse("wagtailadmin_pages:type_use", args=["products", "productpage"])

    response = admin_client.get(products_url, {"export": "csv"})

    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0] == (
        "Title,Brand,RAM (GB),Price,Price from,Price to,Variants,Stock,Live,URL"
    )
    assert rows[1].startswith("Edited Book,Acme,16,1299.00,1299.00,1299.00,1,10,True,")


def configured_book(index, number):
    """A product sold in three configurations, 1299.00 to 1599.00, 9 units in all."""
    book = make_product(index, f"Configured Book {number}", price="1299.00")
    make_variants(book, {"sku": f"CB{number}-8", "stock": 2},
                  {"sku": f"CB{number}-16", "price": "1399.00", "stock": 3},
                  {"sku": f"CB{number}-32", "price": "1599.00", "stock": 4})
    return book


def test_the_products_listings_show_variants_price_range_and_total_stock(
    admin_client, product_index
):
    configured_book(product_index, 1)
    products_url = reverse("wagtailadmin_pages:type_use", args=["products", "productpage"])

    for url in (products_url, reverse("wagtailadmin_explore", args=[product_index.pk])):
        html = admin_client.get(url).content.decode()
        assert "Variants" in html
        assert "1299.00–1599.00" in html
        assert ">3<" in html.replace(" ", "").replace("\n", "")  # variants
        assert ">9<" in html.replace(" ", "").replace("\n", "")  # total stock

    response = admin_client.get(products_url, {"export": "csv"})
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[1].startswith("Configured Book 1,Acme,16,1299.00,1299.00,1599.00,3,9,True,")


def test_the_products_listings_take_no_query_per_product(admin_client, product_index):
    products_url = reverse("wagtailadmin_pages:type_use", args=["products", "productpage"])
    explorer_url = reverse("wagtailadmin_explore", args=[product_index.pk])

    def queries(url):
        admin_client.get(url)  # caches warmed, as on a shop in use
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured.captured_queries)

    configured_book(product_index, 1)
    few = queries(products_url), queries(explorer_url)
    for number in range(2, 6):
        configured_book(product_index, number)

    assert (queries(products_url), queries(explorer_url)) == few
