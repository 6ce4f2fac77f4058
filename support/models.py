import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.permissions import policy_registry

from home.shared.phone import validate_phone
from home.shared.seo import SeoPageMixin

SUBJECT_LENGTH = 60


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    SPAM = "spam", "Spam"


def support_staff_filter():
    """Assignees are active users allowed to work on inquiries (support.change_contact)."""
    staff = policy_registry.get_by_type(Contact).users_with_permission("change")
    return Q(pk__in=staff.values("pk"))


class Contact(models.Model):
    """An inquiry sent through the contact page, worked on by support staff in the admin."""

    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=10, blank=True, validators=[validate_phone])
    order_reference = models.CharField(
        "order number", max_length=20, blank=True,
        help_text="Optional: the order this is about, as printed on the confirmation.",
    )
    description = models.TextField("how can we help?")
    customer = models.ForeignKey(
        "commerce.Customer", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inquiries",
        help_text="Set when the sender was signed in.",
    )
    created_at = models.DateTimeField("received", default=timezone.now, editable=False)
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_inquiries", limit_choices_to=support_staff_filter,
    )
    notes = models.TextField(
        "internal notes", blank=True, help_text="Only support staff see these."
    )
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "inquiry"
        verbose_name_plural = "inquiries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="support_inquiry_received")]

    def __str__(self):
        return f"#{self.pk} {self.subject}" if self.pk else self.subject

    @property
    def subject(self):
        """A one-line subject: the start of the description's first non-empty line."""
        first_line = next((line for line in self.description.splitlines() if line.strip()), "")
        return Truncator(re.sub(r"\s+", " ", first_line).strip()).chars(SUBJECT_LENGTH)


@register_setting(icon="mail")
class SupportSettings(BaseSiteSetting):
    support_email = models.EmailField(
        "support address", blank=True,
        help_text="New inquiries are announced here, and acknowledgements sent to customers "
        "name it as the reply address. Leave empty to only see inquiries in the admin.",
    )

    panels = [FieldPanel("support_email")]

    class Meta:
        verbose_name = "support"


class ContactPage(SeoPageMixin, RoutablePageMixin, Page):
    """The public contact form. Marketers edit the texts; the support app handles the form."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"])
    thank_you_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        default="<p>Thank you for getting in touch. We reply within one working day.</p>",
        help_text="Shown after a message has been sent.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("thank_you_text")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    @path("")
    def contact_form(self, request):
        from .views import contact_form  # the view imports this module

        return contact_form(request, self)

    @path("thanks/", name="thanks")
    def thanks(self, request):
        from .views import thanks

        return thanks(request, self)
