from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import Http404
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from home.blocks import HomeContentBlock
from home.shared import fixed_lookups

# Shared models live with the shared code; imported here so that Django registers them.
from home.shared.fixed_lookups import FixedLookupsVersion  # noqa: F401
from home.shared.models import EmailOptOut, EmailStatus, OutgoingEmail  # noqa: F401
from home.shared.seller import SellerIdentity  # noqa: F401
from home.shared.seo import SeoPageMixin, plain_text_excerpt
from products.models import ProductPage


class HomePage(fixed_lookups.HeldViewRestrictionsMixin, SeoPageMixin, Page):
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
        """Live featured products in the editor's order, with their images: one query for
        the products, one for the pictures' renditions."""
        featured = self.featured_products.filter(product=OuterRef("pk"))
        return list(
            ProductPage.objects.live()
            .annotate(featured_order=Subquery(featured.values("sort_order")[:1]))
            .filter(featured_order__isnull=False)
            .order_by("featured_order", "pk")
            .select_related("image")
            .prefetch_related("image__renditions")
        )

    def route(self, request, path_components):
        # Every visit to a section (the catalogue, the contact page) routes through here:
        # the sections are held in memory instead of being looked up by slug each time.
        if not path_components:
            return super().route(request, path_components)
        section = fixed_lookups.child_page(self, path_components[0])
        if section is None:
            raise Http404
        section._cached_parent_obj = self
        return section.route(request, path_components[1:])

    def default_meta_description(self):
        for block in self.hero:
            if block.block_type == "hero":
                text = block.value.get("text")
            elif block.block_type == "text":
                text = block.value.source
            else:
                continue  # offers change often: a description quoting them would go stale
            if text and plain_text_excerpt(text):
                return plain_text_excerpt(text)
        return f"{settings.WAGTAIL_SITE_NAME}: {self.featured_heading.lower()} and our catalogue."

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_products"] = self.get_featured_products()
        # The hero block holds the page's h1; without one (only text or offers) the title is.
        context["has_hero"] = any(block.block_type == "hero" for block in self.hero)
        return context


class HomePageFeaturedProduct(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_products")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("product")]
