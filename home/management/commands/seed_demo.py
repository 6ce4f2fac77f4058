from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from commerce.customers.addresses import add_address
from commerce.customers.models import Customer
from commerce.shipping.models import ShippingMethod, TaxRate
from home import demo_content
from home.models import HomePage, HomePageFeaturedProduct
from home.shared.roles import create_staff_roles
from home.shared.seller import SellerIdentity
from products.demo_images import draw_product_image
from products.ledger import StockReason
from products.models import ProductGalleryImage, ProductIndexPage, ProductPage
from products.stock import record_initial_stock, sync_products
from products.variants import ProductVariant
from support.models import ContactPage, SupportSettings

HERO = [
    {
        "type": "hero",
        "value": {
            "heading": "Laptops picked by people who use them",
            "text": "Ultralights for the road, workstations for the studio and gaming rigs "
            "for the weekend.",
            "image": None,
            "call_to_action": {"text": "Browse the shop", "page": None, "url": "/shop/"},
        },
    },
    # Its copy comes from the live bulk discount and public vouchers, so it never drifts.
    {"type": "current_offers", "value": {"heading": "Current offers"}},
]

DEMO_SUPPORT_EMAIL = "support@example.com"


class Command(BaseCommand):
    help = "Load the demo shop: home page, catalogue with generated images, demo customers."

    def handle(self, *args, **options):
        with transaction.atomic():
            home = self.ensure_home_page()
            index = self.ensure_product_index(home)
            created = self.ensure_products(index)
            self.ensure_product_galleries(index)
            self.ensure_variants(index)
            self.ensure_sales(index)
            self.ensure_featured_products(home)
            self.ensure_contact_page(home)
            self.ensure_seller()
            customers = self.ensure_customers()
            self.ensure_shipping_and_tax()
            # Known passwords are for a developer's machine only, never a deployed shop.
            staff = self.ensure_demo_staff() if settings.DEBUG else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo shop ready: {created} product(s) added, "
                f"{ProductPage.objects.live().count()} live in total; "
                f"{customers} customer(s) added; {staff} demo staff added."
            )
        )

    def ensure_wagtail_roots(self):
        """Recreate what Wagtail's migrations insert, in case the database was flushed."""
        if not Locale.objects.exists():
            Locale.objects.create(
                language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
            )
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(title="Root", slug="root", locale=Locale.get_default())
        return root

    def ensure_home_page(self):
        root = self.ensure_wagtail_roots()
        home = HomePage.objects.first()
        if home is None:
            # Wagtail's initial migration leaves a placeholder "welcome" page at /home/.
            Page.objects.filter(depth=2, content_type__model="page", slug="home").delete()
            root.refresh_from_db()
            home = root.add_child(
                instance=HomePage(title="Storefront", slug="home", hero=HERO, live=True)
            )
            home.save_revision().publish()
            self.stdout.write("Created the home page.")
        # The Site names the address the shop runs on (make run's HOST and PORT, through
        # SHOP_BASE_URL), so Wagtail's own page URLs in the admin point at the running shop.
        address = urlsplit(settings.SHOP_BASE_URL)
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": address.hostname,
                "port": address.port or (443 if address.scheme == "https" else 80),
                "root_page": home,
                "site_name": "Storefront",
            },
        )
        return home

    def ensure_product_index(self, home):
        index = ProductIndexPage.objects.child_of(home).first()
        if index is None:
            index = home.add_child(
                instance=ProductIndexPage(
                    title="Shop",
                    slug="shop",
                    intro="<p>Every laptop we sell, with the specs that matter.</p>",
                )
            )
            index.save_revision().publish()
            self.stdout.write("Created the product index.")
        return index

    def ensure_products(self, index):
        existing = set(ProductPage.objects.child_of(index).values_list("slug", flat=True))
        total = len(demo_content.PRODUCTS)
        created = 0
        for number, row in enumerate(demo_content.PRODUCTS, start=1):
            name, brand, *_specs, price, stock, tags = row
            slug = slugify(name)
            if slug in existing:
                continue
            product = ProductPage(
                title=name,
                slug=slug,
                price=price,
                stock=stock,
                short_description=f"{brand} {name.removeprefix(brand).strip()}: "
                f"{row[3]}, {row[4]} GB RAM, {row[5]}.",
                body=f"<p>The {name} with {row[6]} display, weighing {row[7]} kg.</p>",
                features=demo_content.product_specs(row),
                image=self.product_image(name, brand),
            )
            index.add_child(instance=product)
            record_initial_stock(product, reason=StockReason.IMPORT)
            product.tags.add(*tags)
            product.save_revision().publish()
            created += 1
            self.stdout.write(f"  [{number}/{total}] {name}")
        return created

    def ensure_sales(self, index):
        """Put the products of SALES on sale for a fortnight from now, unless staff have set a
        sale price on them already."""
        products = ProductPage.objects.child_of(index).filter(
            slug__in=demo_content.SALES, sale_price__isnull=True, sale_ends_at__isnull=True
        )
        for product in products:
            product.sale_price = Decimal(demo_content.SALES[product.slug])
            product.sale_ends_at = timezone.now() + timedelta(days=14)
            product.save_revision().publish()
            self.stdout.write(f"  {product.title}: on sale at {product.sale_price}")

    def ensure_variants(self, index):
        """Sell the products of VARIANTS in their configurations, once: the first variant is
        the one the product was made with; the others are added with their stock."""
        products = ProductPage.objects.child_of(index).filter(slug__in=demo_content.VARIANTS)
        for product in products:
            variants = list(product.variants.all())
            if len(variants) != 1 or variants[0].option_labels:
                continue
            first, *others = demo_content.VARIANTS[product.slug]
            default = variants[0]
            default.sku, default.ram_gb, default.storage_gb, default.colour = first[:4]
            default.save()
            for number, (sku, ram, storage, colour, price, stock) in enumerate(others, 1):
                ProductVariant.objects.create(
                    product=product, sku=sku, ram_gb=ram, storage_gb=storage, colour=colour,
                    price=Decimal(price) if price else None, stock=stock, sort_order=number,
                )
            record_initial_stock(
                product, reason=StockReason.IMPORT,
                variant_ids=[v.pk for v in product.variants.all() if v.pk != default.pk],
            )
            sync_products([product.pk])
            # Editors open the latest revision: publish one that holds the configurations.
            ProductPage.objects.get(pk=product.pk).save_revision().publish()
            self.stdout.write(f"  {product.title}: {len(others) + 1} configurations")

    def ensure_product_galleries(self, index):
        """Give the products of GALLERY_VIEWS their extra photos, once (a new revision)."""
        products = ProductPage.objects.child_of(index).filter(
            slug__in=demo_content.GALLERY_VIEWS, gallery_images__isnull=True
        )
        for product in products:
            for order, view in enumerate(demo_content.GALLERY_VIEWS[product.slug]):
                photo = self.product_image(f"{product.title}, {view}", product.brand)
                product.gallery_images.add(
                    ProductGalleryImage(
                        image=photo, alt_text=f"{product.title} {view}", sort_order=order
                    )
                )
            # Published as a revision, so the editor opens the page with its gallery.
            product.save_revision().publish()

    def product_image(self, name, brand):
        Image = get_image_model()
        image = Image.objects.filter(title=name).first()
        if image is None:
            data = draw_product_image(name, brand)
            image = Image(title=name)
            image.file = ImageFile(_named_bytes(data, f"{slugify(name)}.png"))
            image.save()
        return image

    def ensure_featured_products(self, home):
        if home.featured_products.exists():
            return
        products = ProductPage.objects.filter(slug__in=demo_content.FEATURED_SLUGS)
        by_slug = {product.slug: product for product in products}
        for order, slug in enumerate(demo_content.FEATURED_SLUGS):
            if slug in by_slug:
                HomePageFeaturedProduct.objects.create(
                    page=home, product=by_slug[slug], sort_order=order
                )

    def ensure_contact_page(self, home):
        if not ContactPage.objects.exists():
            page = home.add_child(
                instance=ContactPage(
                    title="Contact us",
                    slug="contact",
                    intro="<p>Questions about a laptop, an order or a return? Write to us and "
                    "a person from our support desk will answer, usually within one working "
                    "day.</p>",
                )
            )
            page.save_revision().publish()
            self.stdout.write("Created the contact page.")
        SupportSettings.objects.get_or_create(
            site=Site.objects.get(is_default_site=True),
            defaults={"support_email": DEMO_SUPPORT_EMAIL},
        )

    def ensure_seller(self):
        # Kept as the owner changed it: the demo only fills in a seller nobody set.
        SellerIdentity.objects.get_or_create(
            site=Site.objects.get(is_default_site=True), defaults=demo_content.SELLER
        )

    def ensure_customers(self):
        User = get_user_model()
        created = 0
        for username, name, email, phone in demo_content.CUSTOMERS:
            if User.objects.filter(username=username).exists():
                continue
            first, _, last = name.partition(" ")
            user = User.objects.create_user(
                username,
                email,
                demo_content.DEMO_CUSTOMER_PASSWORD,
                first_name=first,
                last_name=last,
            )
            customer = Customer.objects.create(user=user, name=name, email=email, phone=phone)
            for recipient, line1, line2, city, state, zip_code in (
                demo_content.CUSTOMER_ADDRESSES.get(username, [])
            ):
                add_address(customer, recipient_name=recipient, address=line1,
                            address_line2=line2, city=city, state=state, zip_code=zip_code,
                            phone=phone)
            created += 1
        return created

    def ensure_shipping_and_tax(self):
        """The demo's shipping methods and state tax rates, unless staff made their own."""
        if not ShippingMethod.objects.exists():
            for order, (name, estimate, flat, per_kg, free_above, states) in enumerate(
                demo_content.SHIPPING_METHODS
            ):
                ShippingMethod.objects.create(
                    name=name, delivery_estimate=estimate, flat_price=Decimal(flat),
                    price_per_kg=Decimal(per_kg) if per_kg else None,
                    free_above=Decimal(free_above) if free_above else None,
                    states=states, sort_order=order,
                )
        for state, rate, taxes_shipping in demo_content.TAX_RATES:
            TaxRate.objects.get_or_create(
                state=state, defaults={"rate": Decimal(rate), "taxes_shipping": taxes_shipping}
            )

    def ensure_demo_staff(self):
        """One user per staff role (create_dev_superuser prints their logins)."""
        User = get_user_model()
        groups = create_staff_roles()  # the staff_roles migration made them, unless flushed
        created = 0
        for username, name, role in demo_content.DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                continue
            first, _, last = name.partition(" ")
            user = User.objects.create_user(
                username,
                f"{username}@example.com",
                demo_content.DEMO_STAFF_PASSWORD,
                first_name=first,
                last_name=last,
            )
            user.groups.add(groups[role])
            created += 1
        return created


def _named_bytes(data, name):
    buffer = BytesIO(data)
    buffer.name = name
    return buffer
