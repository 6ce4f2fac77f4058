"""The product page's photo gallery: the main photo first, then the editor's, in their order."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from products.models import ProductGalleryImage
from tests.factories import make_image, make_product, open_editor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_renditions_of_other_tests():
    # Renditions are cached by image id, which the next test's database hands out again:
    # start without the earlier tests' renditions and leave none of ours to later tests.
    cache.clear()
    yield
    cache.clear()


def add_to_gallery(product, title, alt_text, caption="", sort_order=0):
    return ProductGalleryImage.objects.create(
        page=product, image=make_image(title), alt_text=alt_text, caption=caption,
        sort_order=sort_order,
    )


def pictures(html):
    """The full-size <img> tags of the gallery, in page order."""
    return re.findall(r'<img[^>]*class="product__image"[^>]*>', html)


def alt_of(tag):
    return re.search(r'alt="([^"]*)"', tag).group(1)


def thumbnail_links(html):
    return re.findall(r'<a class="gallery__thumbnail" href="#([^"]+)">', html)


@pytest.fixture
def laptop(product_index):
    product = make_product(product_index, "ThinkPad T14", image=make_image("T14 front"))
    add_to_gallery(product, "T14 ports", "The left side with two USB-C ports", sort_order=2)
    add_to_gallery(
        product, "T14 keyboard", "The backlit keyboard", caption="Spill-resistant", sort_order=1
    )
    return product


def test_main_photo_comes_first_then_the_gallery_in_the_editors_order(client, laptop):
    html = client.get(laptop.url).content.decode()

    assert [alt_of(tag) for tag in pictures(html)] == [
        "ThinkPad T14",
        "The backlit keyboard",
        "The left side with two USB-C ports",
    ]
    assert "<figcaption>Spill-resistant</figcaption>" in html


def test_every_photo_has_responsive_sizes_and_dimensions_and_only_the_first_loads_eagerly(
    client, laptop
):
    tags = pictures(client.get(laptop.url).content.decode())

    for tag in tags:
        assert re.search(r'srcset="[^"]*fill-400x300[^"]* 400w, [^"]*fill-800x600[^"]* 800w"', tag)
        assert 'sizes="(min-width: 48rem) 40rem, 100vw"' in tag
        assert re.search(r'width="\d+"', tag) and re.search(r'height="\d+"', tag)
    assert 'loading="lazy"' not in tags[0]
    assert all('loading="lazy"' in tag for tag in tags[1:])


def test_thumbnails_are_links_to_each_photo_that_work_without_javascript(client, laptop):
    html = client.get(laptop.url).content.decode()

    anchors = thumbnail_links(html)
    assert anchors == ["product-image-1", "product-image-2", "product-image-3"]
    for anchor in anchors:
        assert f'<li class="gallery__picture" id="{anchor}">' in html
    # Each link says which photo it shows, for screen readers too.
    assert "Photo 2 of 3: The backlit keyboard</span></a>" in html
    gallery = re.search(
        r'<div class="gallery">.*?</ul>\s*</div>\s*<ul.*?</ul>', html, re.S
    ).group(0)
    # A strict CSP: no inline script or style anywhere in the gallery.
    assert "<script" not in gallery
    assert "style=" not in gallery
    # With several photos side by side, the scrolling strip can be reached by keyboard.
    assert 'role="region" aria-label="Product photos" tabindex="0"' in gallery


def test_a_product_with_one_photo_shows_no_thumbnails(client, product_index):
    single = make_product(product_index, "Single", image=make_image("Single"))
    html = client.get(single.url).content.decode()

    assert len(pictures(html)) == 1
    assert thumbnail_links(html) == []
    assert 'tabindex="0"' not in html.split('<div class="gallery">')[1].split("</ul>")[0]


def test_a_product_without_a_main_photo_starts_with_its_first_gallery_photo(
    client, product_index
):
    product = make_product(product_index, "No main photo")
    add_to_gallery(product, "Side", "The side")

    tags = pictures(client.get(product.url).content.decode())

    assert [alt_of(tag) for tag in tags] == ["The side"]
    assert 'loading="lazy"' not in tags[0]


def test_product_page_queries_do_not_grow_with_gallery_photos(
    client, product_index, django_assert_max_num_queries
):
    product = make_product(product_index, "Gallery Laptop", image=make_image("Main"))
    add_to_gallery(product, "One", "One")
    client.get(product.url)
    cache.clear()
    with django_assert_max_num_queries(50) as one_photo:
        client.get(product.url)
    bound = len(one_photo.captured_queries)  # the next request empties the query log
    for number in range(4):
        add_to_gallery(product, f"More {number}", f"More {number}", sort_order=number + 1)
    client.get(product.url)  # makes the new photos' renditions
    cache.clear()

    with django_assert_max_num_queries(bound):
        response = client.get(product.url)
    assert len(pictures(response.content.decode())) == 6


def test_editor_adds_and_orders_gallery_photos_in_the_product_editor(
    admin_client, product_index
):
    product = make_product(product_index, "Edited Laptop", image=make_image("Front"))
    back, side = make_image("Back"), make_image("Side")
    data = open_editor(admin_client, product)
    assert data["gallery_images-TOTAL_FORMS"] == "0"
    data["gallery_images-TOTAL_FORMS"] = "2"
    for number, (image, alt, order) in enumerate([(back, "The back", 2), (side, "The side", 1)]):
        data[f"gallery_images-{number}-image"] = str(image.pk)
        data[f"gallery_images-{number}-alt_text"] = alt
        data[f"gallery_images-{number}-caption"] = ""
        data[f"gallery_images-{number}-ORDER"] = str(order)
        data[f"gallery_images-{number}-id"] = ""
    data["action-publish"] = "action-publish"

    response = admin_client.post(f"/admin/pages/{product.pk}/edit/", data)

    assert response.status_code == 302
    html = admin_client.get(product.url).content.decode()
    assert [alt_of(tag) for tag in pictures(html)] == ["Edited Laptop", "The side", "The back"]


def test_a_gallery_photo_without_alt_text_is_refused_with_a_message(
    admin_client, product_index
):
    product = make_product(product_index, "Edited Laptop")
    data = open_editor(admin_client, product)
    data["gallery_images-TOTAL_FORMS"] = "1"
    data["gallery_images-0-image"] = str(make_image("Back").pk)
    data["gallery_images-0-alt_text"] = ""
    data["gallery_images-0-ORDER"] = "1"
    data["gallery_images-0-id"] = ""
    data["action-publish"] = "action-publish"

    response = admin_client.post(f"/admin/pages/{product.pk}/edit/", data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ProductGalleryImage.objects.filter(page=product).exists()


def test_preview_shows_unsaved_gallery_photos(admin_client, product_index):
    product = make_product(product_index, "Previewed Laptop", image=make_image("Front"))
    data = open_editor(admin_client, product)
    data["gallery_images-TOTAL_FORMS"] = "1"
    data["gallery_images-0-image"] = str(make_image("Back").pk)
    data["gallery_images-0-alt_text"] = "The back, not saved yet"
    data["gallery_images-0-caption"] = ""
    data["gallery_images-0-ORDER"] = "1"
    data["gallery_images-0-id"] = ""
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[product.pk])

    assert admin_client.post(preview_url, data).json()["is_valid"]
    html = admin_client.get(preview_url).content.decode()

    assert [alt_of(tag) for tag in pictures(html)] == [
        "Previewed Laptop", "The back, not saved yet"
    ]
    assert not ProductGalleryImage.objects.filter(page=product).exists()


def test_structured_data_names_every_photo_main_photo_first(client, laptop):
    html = client.get(laptop.url).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    product = next(doc for doc in map(json.loads, scripts) if doc["@type"] == "Product")

    assert len(product["image"]) == 3
    assert all(re.fullmatch(r"http://testserver/media/images/.*fill-800x600.*\.png", url)
               for url in product["image"])
    assert "t14-front" in product["image"][0]
    assert "t14-keyboard" in product["image"][1]
