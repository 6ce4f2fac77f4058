"""A benchmark catalogue of any size, added on top of the demo shop.

Products are created with Wagtail's own `add_child` (treebeard keeps the tree consistent),
but without the per-page extras a real editor needs and a benchmark does not: no revision
history, no reference-index update, and search indexing done in bulk per batch instead of
one task per page. Pictures come from a small pool drawn once and shared by all products.
A third of the products are sold in three configurations (RAM and storage), like the demo
shop's configurable laptops; their extra variants are written in bulk per batch.
"""

import random
from decimal import Decimal
from io import BytesIO

from django.core.files.images import ImageFile
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.signal_handlers import disable_reference_index_auto_update

from products.blocks import first_spec_value
from products.demo_images import draw_product_image
from products.models import ProductIndexPage, ProductPage
from products.search_index import search_indexing_in_bulk
from products.stock import sync_products
from products.variants import ProductVariant

BATCH_SIZE = 250
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
    added = 0
    for start in range(existing, total, BATCH_SIZE):
        numbers = range(start, min(start + BATCH_SIZE, total))
        with (
            transaction.atomic(),
            disable_reference_index_auto_update(),
            search_indexing_in_bulk(ProductPage) as index_later,
        ):
            extra_variants = []
            for number in numbers:
                product = generated_product(number, rng, images)
                product.tags.add(*rng.sample(tags, 2))  # saved with the page by add_child
                first, *others = configurations(number, product, rng)
                product.variants = [first]  # saved with the page too
                index.add_child(instance=product)
                for variant in others:
                    variant.product = product
                extra_variants += others
                index_later.append(product)
            # Written before the batch's search indexing, which reads the variants' SKUs.
            ProductVariant.objects.bulk_create(extra_variants)
            sync_products({variant.product_id for variant in extra_variants})
        added += len(numbers)
        log(f"  {start + len(numbers)}/{total} products")
    refresh_planner_statistics()
    return added


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
