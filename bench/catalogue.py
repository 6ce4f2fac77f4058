"""A benchmark catalogue of any size, added on top of the demo shop.

Products are written in bulk, a thousand at a time: the page rows with the tree paths, depth,
url_path and locale that Wagtail's `add_child` would give them (and the publication dates of a
catalogue import, products/catalogue_csv.py), their tags, variants and search index entries, in
a few queries per batch instead of a dozen per product, so 100,000 products take minutes rather
than hours. What a real editor needs and a benchmark does not is left out, as an import leaves
it out: no revision history, no reference-index entries. Pictures come from a small pool drawn
once and shared by all products. A third of the products are sold in three configurations (RAM
and storage), like the demo shop's configurable laptops.
"""

import random
from decimal import Decimal
from io import BytesIO

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page

from products.blocks import first_spec_value
from products.demo_images import draw_product_image
from products.models import ProductIndexPage, ProductPage, ProductPageTag
from products.search_index import search_indexing_in_bulk
from products.stock import sync_products
from products.variants import ProductVariant

BATCH_SIZE = 1000
IMAGE_POOL_SIZE = 24
CONFIGURABLE_EVERY = 3  # every third product is sold in several configurations

BRANDS = {
    "Lenovo": ["ThinkPad", "IdeaPad", "Legion", "Yoga"],
    "Apple": ["MacBook Air", "MacBook Pro"],
    "Dell": ["XPS", "Latitude", "Inspiron", "Alienware"],
    "HP": ["Spectre", "EliteBook", "Pavilion", "Omen"],
    "ASUS": ["Zenbook", "ROG", "Vivobook", "TUF"],
    "Acer": ["Swift", "Aspire", "Predator", "Nitro"],
    "Microsoft": ["Surface Laptop", "Surface Pro"],
    "Samsung": ["Galaxy Book"],
    "Framework": ["Laptop"],
    "Razer": ["Blade"],
}
PROCESSORS = [
    "Intel Core Ultra 5 125U", "Intel Core Ultra 7 155H", "Intel Core i5-1335U",
    "Intel Core i9-14900HX", "AMD Ryzen 5 7530U", "AMD Ryzen 7 8840U", "AMD Ryzen 9 8945HS",
    "Apple M3", "Apple M4 Pro", "Snapdragon X Elite",
]
RAM_GB = [8, 16, 16, 32, 32, 64]
STORAGE = ["256 GB SSD", "512 GB SSD", "1 TB SSD", "2 TB SSD"]
DISPLAYS = ['13.3" 1920x1200', '14" 2880x1800 OLED', '15.6" 1920x1080 144 Hz', '16" 2560x1600']
TAGS = ["business", "ultralight", "gaming", "student", "budget", "creator", "2-in-1"]


def seed_catalogue(total, log=print, pool_size=IMAGE_POOL_SIZE):
    """Make the shop hold `total` live products (the 28 demo ones included); returns how many
    were added. Running it again with the same or a smaller total adds nothing."""
    call_command("seed_demo", verbosity=0)
    index = ProductIndexPage.objects.live().order_by("path").first()
    existing = ProductPage.objects.child_of(index).count()
    images = image_pool(pool_size)
    tags = [Tag.objects.get_or_create(name=name, defaults={"slug": name})[0] for name in TAGS]
    rng = random.Random(2024)
    for start in range(existing, total, BATCH_SIZE):
        numbers = range(start, min(start + BATCH_SIZE, total))
        with transaction.atomic():
            products, variants, tagged = [], [], []
            for number in numbers:
                product = generated_product(number, rng, images)
                products.append(product)
                tagged.append(rng.sample(tags, 2))
                variants.append(configurations(number, product, rng))
            add_products(index, products)
            ProductPageTag.objects.bulk_create(
                ProductPageTag(content_object_id=product.pk, tag=tag)
                for product, chosen in zip(products, tagged, strict=True) for tag in chosen
            )
            for product, configured in zip(products, variants, strict=True):
                for variant in configured:
                    variant.product = product
            ProductVariant.objects.bulk_create(
                [variant for configured in variants for variant in configured]
            )
            sync_products([product.pk for product in products])
            index_for_search([product.pk for product in products])
        log(f"  {numbers.stop}/{total} products")
    refresh_planner_statistics()
    return max(total - existing, 0)


def add_products(index, products):
    """Write the unsaved `products` as the last children of `index`, live, in two INSERTs, with
    the fields `index.add_child(instance=product)` would set: the next tree paths, the depth,
    url_path, locale, draft title and spec columns, and the parent's child count."""
    # Locked, so that a page added meanwhile cannot take the same paths.
    index = Page.objects.select_for_update().get(pk=index.pk)
    last = index.get_last_child()
    last_step = Page._str2int(last.path[-Page.steplen:]) if last else 0
    content_type = ContentType.objects.get_for_model(ProductPage)
    now = timezone.now()
    for step, product in enumerate(products, start=last_step + 1):
        product.depth = index.depth + 1
        product.path = Page._get_path(index.path, product.depth, step)
        product.numchild = 0
        product.url_path = f"{index.url_path}{product.slug}/"
        product.locale_id = index.locale_id
        product.content_type = content_type
        product.draft_title = product.title
        # As a catalogue import publishes them: the listing's "newest" sort reads this.
        product.first_published_at = product.last_published_at = now
        product.sync_spec_columns()
    # Django's bulk_create refuses a model with a parent table: the page rows first, then the
    # product rows that share their ids.
    page_fields = [field.attname for field in Page._meta.concrete_fields if not field.primary_key]
    rows = Page.objects.bulk_create(
        Page(**{name: getattr(product, name) for name in page_fields}) for product in products
    )
    for product, row in zip(products, rows, strict=True):
        product.pk = product.page_ptr_id = row.pk
    ProductPage._base_manager._insert(
        products, fields=ProductPage._meta.local_concrete_fields, using=index._state.db
    )
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(products))


def index_for_search(product_ids):
    """The search index entries of the products, with the tags and variant SKUs they are found
    by, read in three queries."""
    products = ProductPage.objects.filter(pk__in=product_ids).prefetch_related(
        "tags", "variants"
    )
    with search_indexing_in_bulk(ProductPage, batch_size=len(product_ids)) as index_later:
        for product in products:
            index_later.append(product)


def refresh_planner_statistics():
    """What autovacuum does soon after a bulk load on a live server. Without it PostgreSQL
    plans the catalogue's queries for the few rows it saw before seeding (some machines,
    this benchmark's among them, run with autovacuum off)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def image_pool(size=IMAGE_POOL_SIZE):
    Image = get_image_model()
    pool = []
    brands = list(BRANDS)
    for number in range(size):
        title = f"Benchmark laptop picture {number + 1:02}"
        image = Image.objects.filter(title=title).first()
        if image is None:
            brand = brands[number % len(brands)]
            buffer = BytesIO(draw_product_image(title, brand))
            buffer.name = f"{slugify(title)}.png"
            image = Image.objects.create(title=title, file=ImageFile(buffer))
        pool.append(image)
    return pool


def generated_product(number, rng, images):
    brand = rng.choice(list(BRANDS))
    line = rng.choice(BRANDS[brand])
    title = f"{brand} {line} {rng.choice(['13', '14', '15', '16'])} G{number:05}"
    ram = rng.choice(RAM_GB)
    processor = rng.choice(PROCESSORS)
    storage = rng.choice(STORAGE)
    display = rng.choice(DISPLAYS)
    return ProductPage(
        title=title,
        slug=slugify(title),
        live=True,
        has_unpublished_changes=False,
        price=Decimal(rng.randrange(399_00, 3999_00)) / 100,
        stock=rng.randrange(0, 60),
        short_description=f"{brand} {line} with {processor}, {ram} GB RAM and {storage}.",
        body=f"<p>The {title}: {display} display, built for everyday work and play.</p>",
        features=[
            ("brand", brand),
            ("model", f"{line} G{number:05}"),
            ("processor", processor),
            ("ram", ram),
            ("storage", storage),
            ("display", display),
            ("weight", Decimal(rng.randrange(90, 280)) / 100),
        ],
        image=rng.choice(images),
    )


def configurations(number, product, rng):
    """The unsaved variants of a generated product: one, or for every third product three
    RAM and storage configurations, dearer as they grow, each with its own stock."""
    sku = f"BENCH-{number:05}"
    if number % CONFIGURABLE_EVERY:
        return [ProductVariant(sku=sku, stock=product.stock, sort_order=0)]
    ram = first_spec_value(product.features, "ram")
    options = [(ram, 512, None), (ram * 2, 1024, 200), (ram * 2, 2048, 400)]
    return [
        ProductVariant(
            sku=f"{sku}-{ram_gb}-{storage_gb}", ram_gb=ram_gb, storage_gb=storage_gb,
            price=None if extra is None else product.price + extra,
            stock=product.stock if order == 0 else rng.randrange(0, 30), sort_order=order,
        )
        for order, (ram_gb, storage_gb, extra) in enumerate(options)
    ]
