from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from home.blocks import HomeContentBlock

# Shared models live with the shared code; imported here so that Django registers them.
from home.shared.models import EmailOptOut, EmailStatus, OutgoingEmail  # noqa: F401
from home.shared.seller import SellerIdentity  # noqa: F401
from home.shared.seo import SeoPageMixin, plain_text_excerpt
from products.models import ProductPage


class HomePage(SeoPageMixin, Page):
    """The site root: an editable hero and the products marketers choose to feature."""

    hero = StreamField(HomeContentBlock(), blank=True)
    featured_heading = models.CharField(max_length=120, default="Featured products")

    content_panels = Page.content_panels + [
        FieldPanel("hero"),
        FieldPanel("featured_heading"),
        InlinePanel("featured_products", label="Featured products", max_num=12),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["products.ProductIndexPage", "support.ContactPage"]

    def get_featured_products(self):
        """Live featured products in the editor's order, with their images in one go."""
        ids = list(self.featured_products.values_list("product_id", flat=True))
        products = (
            ProductPage.objects.live()
            .filter(pk__in=ids)
            .select_related("image")
            .prefetch_related("image__renditions")
        )
        by_id = {product.pk: product for product in products}
        return [by_id[pk] for pk in ids if pk in by_id]

    def default_meta_description(self):
        for block in self.hero:
            text = block.value.get("text") if block.block_type == "hero" else block.value.source
            if text and plain_text_excerpt(text):
                return plain_text_excerpt(text)
        return f"{settings.WAGTAIL_SITE_NAME}: {self.featured_heading.lower()} and our catalogue."

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_products"] = self.get_featured_products()
        return context


class HomePageFeaturedProduct(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_products")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("product")]
