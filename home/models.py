from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from products.models import ProductPage

from .blocks import HomeContentBlock
from .seo import SeoPageMixin, plain_text_excerpt


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


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingEmailQuerySet(models.QuerySet):
    def about(self, record):
        """Emails sent about `record` (an order, an inquiry), oldest first."""
        return self.filter(
            about_type=ContentType.objects.get_for_model(record), about_id=record.pk
        ).order_by("created_at", "pk")

    def failed(self):
        return self.filter(status=EmailStatus.FAILED)


class OutgoingEmail(models.Model):
    """One email the shop sends, kept so that staff can see what failed and send it again.

    The task queue carries only this record's id. A password reset email keeps no body:
    its link is made from `reset_password_of` each time it is sent, so no link is stored.
    """

    template = models.CharField(max_length=200)
    to = models.JSONField(default=list)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    reset_password_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    # Plain values the templates need when the body is made at sending time.
    send_time_context = models.JSONField(default=dict, blank=True)
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["about_type", "about_id"])]

    def __str__(self):
        return f"{self.subject} to {', '.join(self.to)}"
