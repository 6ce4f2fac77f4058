import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote as urlquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from home.shared import fixed_lookups
from home.shared.offers import CurrentOffersBlock
from home.shared.public_address import shop_url
from home.shared.seo import SeoPageMixin, plain_text_excerpt

from .availability import stock_state
from .back_in_stock import BackInStockRequest  # noqa: F401  (registers its model)
from .blocks import ProductSpecsBlock, first_spec_value, spec_rows
from .forms import ProductPageForm, VariantsPanel, back_in_stock_form
from .gallery import load_pictures, product_gallery
from .json_rows import instances_from_rows, prefetched, rows_subquery
from .ledger import StockMovement  # noqa: F401  (registers the stock ledger's model)
from .listing import build_listing
from .related import related_products
from .sales import product_sale_is_on, sale_price_error
from .serializers import GalleryField, TagNamesField, VariantsField
from .structured_data import (
    breadcrumb_structured_data,
    breadcrumb_trail,
    identifiers_from_specs,
)
from .tags import product_tags, with_tag_list
from .variant_picker import offered_variants, shared_spec_blocks, variant_picker
from .variants import ProductVariant

# Wagtail hook: functions (request, product, context) that add to a product page's context.
PRODUCT_PAGE_CONTEXT_HOOK = "product_page_context"


class ProductPageQuerySet(PageQuerySet):
    def visible(self):
        """Products a shopper may see: published and not in a private section of the site.

        The listing, search and the API all start from this, so an unpublished product is
        invisible everywhere at once. The private sections are held in memory
        (home/shared/fixed_lookups.py) instead of being read on every request.
        """
        private = models.Q(pk__in=[])
        for path, depth in fixed_lookups.private_sections():
            private |= models.Q(path__startswith=path, depth__gte=depth)
        return self.live().exclude(private)

    def with_variant_count(self):
        """Annotate `variant_count`, the configurations of each product (inactive ones too),
        in the same query."""
        per_product = (
            ProductVariant.objects.filter(product=models.OuterRef("pk"))
            .order_by().values("product").annotate(count=models.Count("pk")).values("count")
        )
        return self.annotate(
            variant_count=Coalesce(models.Subquery(per_product), models.Value(0))
        )

    def with_images(self):
        """Load each product's image and its existing renditions in two queries in total."""
        return self.select_related("image").prefetch_related("image__renditions")

    def with_gallery(self):
        """Load every product's gallery (products.gallery), its images and their renditions
        in three queries in total, however many products."""
        return self.prefetch_related(
            models.Prefetch(
                "gallery_images",
                queryset=ProductGalleryImage.objects.select_related("image").prefetch_related(
                    "image__renditions"
                ),
            )
        )

    def for_product_page(self):
        """What a product page shows of each product, read in the same query: its image, its
        tags (products.tags), its variants and its gallery (JSON arrays, products.json_rows).
        Give each result to with_page_rows() before use."""
        return with_tag_list(self.select_related("image")).annotate(
            variant_rows=rows_subquery(ProductVariant.objects.all(), "product", VARIANT_FIELDS),
            gallery_rows=rows_subquery(
                ProductGalleryImage.objects.all(), "page", GALLERY_IMAGE_FIELDS
            ),
        )


def _in_editor_order(rows):
    return sorted(rows, key=lambda row: (row.sort_order is None, row.sort_order or 0, row.pk))


def with_page_rows(product):
    """`product` (loaded by for_product_page()) with its variants and gallery handed over as
    prefetched, so product.variants.all() and product.gallery_images.all() read no query."""
    db = product._state.db
    prefetched(product, "variants", _in_editor_order(
        instances_from_rows(ProductVariant, VARIANT_FIELDS, product.variant_rows, db)
    ))
    prefetched(product, "gallery_images", _in_editor_order(
        instances_from_rows(ProductGalleryImage, GALLERY_IMAGE_FIELDS, product.gallery_rows, db)
    ))
    return product


ProductPageManager = PageManager.from_queryset(ProductPageQuerySet)


class ProductIndexPage(fixed_lookups.HeldViewRestrictionsMixin, SeoPageMixin, Page):
    """A catalogue section that lists its products, with filters, facets and sorting."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    subpage_types = ["products.ProductPage"]
    parent_page_types = ["home.HomePage"]

    class Meta:
        verbose_name = "product index"

    def get_products(self):
        return ProductPage.objects.child_of(self).visible()

    def route(self, request, path_components):
        # A product's URL: the product with all its page shows in one query, instead of
        # Wagtail's lookup by slug, then of the specific page, then of each relation.
        if len(path_components) == 1:
            product = (
                ProductPage.objects.child_of(self).filter(slug=path_components[0])
                .for_product_page().first()
            )
            if product is None:
                raise Http404
            product._cached_parent_obj = self
            return with_page_rows(product).route(request, [])
        return super().route(request, path_components)

    def default_meta_description(self):
        return plain_text_excerpt(self.intro) or (
            f"{self.title}: every product at {settings.WAGTAIL_SITE_NAME}, with prices, "
            "stock and the specs that matter."
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["listing"] = build_listing(self.get_products(), request.GET)
        return context


class ProductPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        # taggit never tags an object twice; the listing counts tagged products on that.
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="products_tag_once_per_product"
            )
        ]


class ProductGalleryImage(Orderable):
    """One more photo of a product, after its main image; editors set the order."""

    page = ParentalKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="gallery_images"
    )
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+"
    )
    alt_text = models.CharField(
        max_length=250,
        help_text="What the photo shows, for shoppers who cannot see it, e.g. \"The left side "
        "with two USB-C ports\".",
    )
    caption = models.CharField(max_length=250, blank=True, help_text="Shown under the photo.")

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = "gallery image"


class ProductPage(fixed_lookups.HeldViewRestrictionsMixin, SeoPageMixin, Page):
    """A product for sale. The page title is the product name."""

    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"), message="The price cannot be negative.")],
        help_text="Price in the shop's currency, for example 1299.00.",
        db_index=True,  # the listing sorts and filters by price
    )
    # The total stock of the active variants (None if any of them is not tracked), kept by
    # products.stock, the one writer of stock counts; editors set stock per variant.
    stock = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The lowest and highest price of the active variants ("from $X" and the listing's price
    # filter and sort), kept with the stock total (products.stock.sync_products).
    price_from = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False, db_index=True
    )
    price_to = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    # A scheduled sale (products.sales): one window for the product, a sale price for the
    # configurations sold at its price; a variant with its own price has its own sale price.
    sale_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"), message="The price cannot be negative.")],
        help_text="The price during the sale, below the price above. Variants with a price of "
        "their own take their own sale price.",
    )
    sale_starts_at = models.DateTimeField(
        "sale starts", null=True, blank=True, help_text="Empty: the sale starts when published."
    )
    sale_ends_at = models.DateTimeField(
        "sale ends", null=True, blank=True,
        help_text="The sale price stops at this time, with nothing to run. Empty: no end.",
    )
    # The lowest and highest price of the active variants during the sale, when any of them
    # has a sale price (else empty), kept with the price range.
    sale_price_from = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    sale_price_to = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    low_stock_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Shoppers read \"Only 3 left\", and staff see the product under Low stock, at or "
            "below this many units. Leave empty for the shop's default."
        ),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Main product photo; set the focal point so crops keep the product in view.",
    )
    short_description = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences shown in listings."
    )
    body = RichTextField(blank=True, help_text="The full description.")
    tags = ClusterTaggableManager(through=ProductPageTag, blank=True)
    features = StreamField(
        ProductSpecsBlock(),
        blank=True,
        help_text="Key specs shown as a table: brand, model, processor, RAM, weight and more.",
    )
    promotions = StreamField(
        [("current_offers", CurrentOffersBlock())],
        blank=True,
        help_text="Shown under the buy button. The offers are written from the live bulk "
        "discount and public voucher codes.",
    )

    # Copies of spec values used for filtering, kept in indexed columns so the listing can
    # filter and count facets in SQL instead of reading every page's StreamField JSON.
    # They are derived from `features` on every save and never edited by hand. Saving a draft
    # of a live product writes revision fields only, so for live products they describe the
    # published specs shoppers see. products/listing.py filters and counts on them.
    brand = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    ram_gb = models.PositiveIntegerField(null=True, blank=True, db_index=True, editable=False)

    objects = ProductPageManager()

    search_fields = Page.search_fields + [
        index.SearchField("short_description"),
        index.SearchField("body"),
        index.SearchField("brand"),
        index.SearchField("spec_text"),
        index.SearchField("variant_text"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("price"),
        index.FilterField("brand"),
        index.FilterField("ram_gb"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("short_description"),
        FieldPanel("image"),
        InlinePanel(
            "gallery_images",
            heading="Gallery",
            label="Gallery image",
            help_text="More photos, shown after the main photo in the order you set here.",
        ),
        FieldPanel("body"),
        FieldPanel("promotions"),
        FieldPanel(
            "tags",
            help_text="Shoppers can filter the shop by tag, for example gaming or ultralight.",
        ),
    ]
    specs_panels = [FieldPanel("features")]
    pricing_panels = [
        FieldPanel("price"),
        MultiFieldPanel(
            [FieldPanel("sale_price"), FieldRowPanel([FieldPanel("sale_starts_at"),
                                                     FieldPanel("sale_ends_at")])],
            heading="Sale",
            help_text="Shoppers see the regular price struck through while the sale is on.",
        ),
        VariantsPanel(
            "variants",
            heading="Variants",
            label="Variant",
            min_num=1,
            help_text=(
                "Each configuration you sell, with its SKU, options, price and stock. A product "
                "sold in one configuration has one variant with no options."
            ),
        ),
        FieldPanel("low_stock_threshold"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(specs_panels, heading="Specs"),
            ObjectList(pricing_panels, heading="Pricing and stock"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )
    base_form_class = ProductPageForm

    api_fields = [
        APIField("price"),
        APIField("in_stock"),
        APIField("brand"),
        APIField("ram_gb"),
        APIField("short_description"),
        APIField("body"),
        APIField("specs"),
        APIField("tags", serializer=TagNamesField()),
        APIField("image_card", serializer=ImageRenditionField("fill-480x360", source="image")),
        APIField("image_large", serializer=ImageRenditionField("fill-1200x900", source="image")),
        APIField("gallery", serializer=GalleryField("max-1200x900")),
        APIField("price_from"),
        APIField("price_to"),
        APIField("variants", serializer=VariantsField()),
    ]

    parent_page_types = ["products.ProductIndexPage"]
    subpage_types = []

    # The largest rendition of the detail page's picture, also named in the JSON-LD.
    STRUCTURED_DATA_IMAGE = "fill-800x600"

    class Meta:
        verbose_name = "product"

    open_graph_type = "product"

    def default_meta_description(self):
        return (
            plain_text_excerpt(self.short_description)
            or plain_text_excerpt(self.body)
            or plain_text_excerpt(self.spec_text)
            or super().default_meta_description()
        )

    @property
    def social_image(self):
        return self.image

    def open_graph_properties(self):
        return [
            ("product:price:amount", self.structured_data_price()),
            ("product:price:currency", settings.SHOP_CURRENCY),
        ]

    def structured_data_price(self, price=None):
        # Decimal(): a page built in code may hold its price as a string.
        price = self.price if price is None else price
        return str(Decimal(price).quantize(Decimal("0.01"), ROUND_HALF_UP))

    def clean(self):
        super().clean()
        errors = {}
        if error := sale_price_error(self.sale_price, self.price):
            errors["sale_price"] = error
        if self.sale_starts_at and self.sale_ends_at and self.sale_ends_at <= self.sale_starts_at:
            errors["sale_ends_at"] = "The sale must end after it starts."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.sync_spec_columns()
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "variants" in update_fields:
            self.sync_variants()

    def sync_variants(self):
        """After the row and its variants are written: give a product without variants its
        default one (with the stock it was made with, for products.stock.record_initial_stock
        to put in the ledger), and keep the stock total and price range."""
        from .stock import sync_products

        if not ProductVariant.objects.filter(product=self).exists():
            ProductVariant.objects.create(product=self, stock=self.stock, sort_order=0)
        sync_products([self.pk])
        self.stock, self.price_from, self.price_to = (
            type(self).objects.filter(pk=self.pk)
            .values_list("stock", "price_from", "price_to").get()
        )

    def sync_spec_columns(self):
        self.brand = (first_spec_value(self.features, "brand") or "").strip()
        self.ram_gb = first_spec_value(self.features, "ram")

    def with_content_json(self, content):
        # Stock is live inventory, not revisioned content: publishing or reverting an old
        # revision must never rewind it to the count the revision happened to hold. Read it
        # from the row: self may have been loaded before some sales.
        obj = super().with_content_json(content)
        obj.stock = self.live_stock()
        live = self.live_variant_stock()
        for variant in obj.variants.all():
            if variant.pk in live:
                variant.stock = live[variant.pk]
        return obj

    def live_stock(self):
        """The stock total stored for this product now (None: not tracked)."""
        if self.pk is None:
            return self.stock
        return type(self).objects.filter(pk=self.pk).values_list("stock", flat=True).first()

    def live_variant_stock(self):
        """{variant id: stock count stored now} for this product's variants."""
        if self.pk is None:
            return {}
        return dict(ProductVariant.objects.filter(product=self).values_list("pk", "stock"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A product previewed before it has a place in the page tree has no listing yet.
        index = self.get_parent()
        context["listing_url"] = index.get_url(request) if index else None
        context["tags"] = product_tags(self)
        context["related_products"] = related_products(self, context["tags"])
        # Every picture of the page (gallery, variants, related products) and its
        # renditions, read at once before anything renders them.
        load_pictures(self, [product.image for product in context["related_products"]])
        picker = variant_picker(self, request.GET.get("variant"))
        context["variant_picker"] = picker
        context["variant"] = picker.selected
        context["gallery"] = product_gallery(
            self, main_image=picker.selected.image if picker.selected else None
        )
        context["spec_blocks"] = shared_spec_blocks(self.features, picker)
        context["structured_data"] = self.structured_data(
            request, context["gallery"], picker.variants
        )
        context["back_in_stock_form"] = back_in_stock_form(request, self, picker.selected)
        context["breadcrumbs"] = breadcrumb_trail(self, request)
        context["breadcrumb_structured_data"] = breadcrumb_structured_data(
            context["breadcrumbs"]
        )
        # Other apps add what they show on a product page (commerce: the reviews and their
        # aggregateRating), so that products imports none of them.
        for add_to_context in hooks.get_hooks(PRODUCT_PAGE_CONTEXT_HOOK):
            add_to_context(request, self, context)
        return context

    def structured_data(self, request=None, gallery=None, variants=None):
        """The schema.org Product description of this product, for a JSON-LD script.

        Built from the page as it is being rendered (so previews show the draft's data).
        get_context lets other apps add to it (the reviews' aggregateRating), and passes the
        `gallery` it loaded so that every photo is named, main photo first.
        """
        data = {"@context": "https://schema.org", "@type": "Product", "name": self.title}
        if variants is None:
            variants = offered_variants(self)
        if len(variants) == 1:
            data["sku"] = variants[0].sku
        data.update(identifiers_from_specs(self.spec_rows))
        url = self.get_full_url(request) if self.pk else None
        if url:
            data["url"] = url
        if self.short_description:
            data["description"] = self.short_description
        brand = first_spec_value(self.features, "brand")
        if brand:
            data["brand"] = {"@type": "Brand", "name": brand}
        model = first_spec_value(self.features, "model")
        if model:
            data["model"] = model
        if gallery is None:
            images = [self.image] if self.image else []
        else:
            images = [picture.image for picture in gallery]
        if images:
            data["image"] = [
                shop_url(image.get_rendition(self.STRUCTURED_DATA_IMAGE).url) for image in images
            ]
        offers = [self.structured_data_offer(variant, url, several=len(variants) > 1)
                  for variant in variants]
        # One configuration: one Offer, as before variants; several: an Offer for each.
        data["offers"] = offers[0] if len(offers) == 1 else offers
        return data

    def structured_data_offer(self, variant, url, several):
        offer = {
            "@type": "Offer",
            "price": self.structured_data_price(variant.unit_price),
            "priceCurrency": settings.SHOP_CURRENCY,
            "availability": "https://schema.org/InStock"
            if variant.in_stock
            else "https://schema.org/OutOfStock",
        }
        if variant.was_price is not None and self.sale_ends_at:
            # Google shows the sale price only until then.
            offer["priceValidUntil"] = timezone.localtime(self.sale_ends_at).date().isoformat()
        if several:
            offer["sku"] = variant.sku
            offer["name"] = variant.display_name
        if url:
            offer["url"] = f"{url}?variant={urlquote(variant.sku)}" if several else url
        return offer

    @property
    def spec_rows(self):
        return spec_rows(self.features)

    @property
    def specs(self):
        """The spec table as data: what the API exposes."""
        return [
            {"type": child.block_type, "label": label, "value": value}
            for child, (label, value) in zip(self.features, self.spec_rows, strict=True)
        ]

    @property
    def variant_text(self):
        """The SKUs and option values of the configurations, so search finds them. Each SKU
        is also given in its parts, as a search engine may split "XPS13-32-1TB" differently
        from the words typed."""
        return " ".join(
            f"{variant.sku} {re.sub(r'[-_./]+', ' ', variant.sku)} {variant.option_labels}"
            for variant in offered_variants(self)
        )

    @property
    def spec_text(self):
        return " ".join(value for _label, value in self.spec_rows)

    @property
    def on_sale(self):
        """Whether the sale is on now (products.sales)."""
        return product_sale_is_on(self)

    def _shown_range(self):
        if self.on_sale:
            return self.sale_price_from, self.sale_price_to
        return self.price_from, self.price_to

    @property
    def has_price_range(self):
        """Whether the configurations sell at different prices now ("From $X")."""
        low, high = self._shown_range()
        return low is not None and low != high

    @property
    def listing_price(self):
        """The lowest price now (the only one, without a range): the sale's while it is on."""
        low, _high = self._shown_range()
        return self.price if low is None else low

    @property
    def regular_listing_price(self):
        """The lowest price before the sale, shown struck through while it is on and lower;
        else None."""
        regular = self.price if self.price_from is None else self.price_from
        return regular if self.on_sale and self.listing_price < regular else None

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0

    @property
    def stock_state(self):
        """What the shopper is told: "In stock", "Only 3 left" or "Out of stock"."""
        return stock_state(self.stock, self.low_stock_threshold)


VARIANT_FIELDS = tuple(field.attname for field in ProductVariant._meta.concrete_fields)
GALLERY_IMAGE_FIELDS = tuple(field.attname for field in ProductGalleryImage._meta.concrete_fields)
