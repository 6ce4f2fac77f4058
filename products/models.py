from decimal import Decimal

from django.core.paginator import Paginator
from django.core.validators import MinValueValidator
from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from commerce.reviews import product_review_context

from .blocks import ProductSpecsBlock, first_spec_value, spec_rows


class ProductIndexPage(Page):
    """A catalogue section that lists its products."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    subpage_types = ["products.ProductPage"]
    parent_page_types = ["home.HomePage"]

    products_per_page = 24

    class Meta:
        verbose_name = "product index"

    def get_products(self):
        return (
            ProductPage.objects.child_of(self)
            .live()
            .select_related("image")
            .prefetch_related("image__renditions")
            .order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.get_products(), self.products_per_page)
        context["products"] = paginator.get_page(request.GET.get("page"))
        return context


class ProductPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProductPage(Page):
    """A product for sale. The page title is the product name."""

    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"), message="The price cannot be negative.")],
        help_text="Price in the shop's currency, for example 1299.00.",
    )
    stock = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Units available. Leave empty if stock is not tracked for this product.",
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

    # Copies of spec values used for filtering, kept in indexed columns so the listing can
    # filter and count facets in SQL instead of reading every page's StreamField JSON.
    # They are derived from `features` on every save and never edited by hand.
    brand = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    ram_gb = models.PositiveIntegerField(null=True, blank=True, db_index=True, editable=False)

    search_fields = Page.search_fields + [
        index.SearchField("short_description"),
        index.SearchField("body"),
        index.SearchField("brand"),
        index.SearchField("spec_text"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("price"),
        index.FilterField("brand"),
        index.FilterField("ram_gb"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("short_description"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    specs_panels = [FieldPanel("features")]
    pricing_panels = [
        MultiFieldPanel([FieldPanel("price"), FieldPanel("stock")], heading="Pricing and stock")
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

    parent_page_types = ["products.ProductIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "product"

    def save(self, *args, **kwargs):
        self.sync_spec_columns()
        super().save(*args, **kwargs)

    def sync_spec_columns(self):
        self.brand = (first_spec_value(self.features, "brand") or "").strip()
        self.ram_gb = first_spec_value(self.features, "ram")

    def with_content_json(self, content):
        # Stock is live inventory, not revisioned content: publishing or reverting an old
        # revision must never rewind it to the count the revision happened to hold.
        obj = super().with_content_json(content)
        obj.stock = self.stock
        return obj

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(product_review_context(request, self))
        return context

    @property
    def spec_rows(self):
        return spec_rows(self.features)

    @property
    def spec_text(self):
        return " ".join(value for _label, value in self.spec_rows)

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0
