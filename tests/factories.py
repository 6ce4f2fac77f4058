"""Small builders for test data: a site with a home page, a catalogue, products."""

from decimal import Decimal
from io import BytesIO

from django.core.files.images import ImageFile
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home.models import HomePage
from products.demo_images import draw_product_image
from products.models import ProductIndexPage, ProductPage


def make_home_page(title="Storefront"):
    """The site root, replacing Wagtail's placeholder welcome page."""
    root = Page.get_first_root_node()
    Page.objects.filter(depth=2, content_type__model="page").delete()
    root.refresh_from_db()
    home = root.add_child(instance=HomePage(title=title, slug="home"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    return home


def make_product_index(home, title="Shop", slug="shop"):
    return home.add_child(instance=ProductIndexPage(title=title, slug=slug))


def make_image(title="Test laptop"):
    buffer = BytesIO(draw_product_image(title, "Test"))
    buffer.name = f"{slugify(title)}.png"
    return get_image_model().objects.create(title=title, file=ImageFile(buffer))


def make_product(index, title="Test Laptop", price="999.00", stock=None, brand="Acme", ram=16,
                 tags=(), features=None, image=None, live=True, **fields):
    if features is None:
        features = [("brand", brand), ("ram", ram), ("weight", Decimal("1.40"))]
    product = ProductPage(
        title=title,
        slug=fields.pop("slug", slugify(title)),
        price=Decimal(price),
        stock=stock,
        features=features,
        image=image,
        live=live,
        **fields,
    )
    index.add_child(instance=product)
    if tags:
        product.tags.add(*tags)
        product.save()
    if live:
        product.save_revision().publish()
    else:
        product.save_revision()
    return product
