"""Who sells: the seller's legal identity, a site setting printed on invoices and in every
shop email (and the support address in the footer). App label home, like the outbox."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site


@register_setting(icon="site")
class SellerIdentity(BaseSiteSetting):
    """The business behind the shop, as invoices must name it."""

    legal_name = models.CharField(
        max_length=200, blank=True,
        help_text="The registered name of the business. Empty: the shop's name is used.",
    )
    address = models.TextField(
        blank=True, help_text="The business address, one line per line, as on a letter."
    )
    tax_number = models.CharField(
        "tax or registration number", max_length=50, blank=True,
        help_text="Printed on invoices, for example an EIN or a state sales tax permit.",
    )
    support_email = models.EmailField(
        "customer support email", blank=True,
        help_text="Shown to customers in the site footer, on invoices and in every email.",
    )

    panels = [
        FieldPanel("legal_name"),
        FieldPanel("address"),
        FieldPanel("tax_number"),
        FieldPanel("support_email"),
    ]

    class Meta:
        verbose_name = "seller"

    @property
    def name(self):
        return self.legal_name or settings.WAGTAIL_SITE_NAME

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def current_seller(site=None):
    """The seller of `site` (default: the default site). Reading never writes: a site whose
    seller was never saved gets an unsaved, empty one, named after the shop."""
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    seller = SellerIdentity.objects.filter(site=site).first() if site is not None else None
    return seller or SellerIdentity()
