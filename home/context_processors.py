from django.conf import settings
from django.utils.functional import SimpleLazyObject

from home.shared import fixed_lookups
from home.shared.seller import current_seller
from products.models import ProductIndexPage


def catalogue_url():
    index = ProductIndexPage.objects.live().order_by("path").first()
    return index.url if index else ""


def shop(request):
    """Shop name and catalogue link for the header, and the seller for the footer. The link
    and the seller are looked up when a template first shows them, and held in memory until
    pages, sites or settings change (home/shared/fixed_lookups.py)."""
    return {
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "seller": SimpleLazyObject(lambda: seller_for_request(request)),
        "catalogue_url": SimpleLazyObject(
            lambda: fixed_lookups.held("catalogue url", None, catalogue_url)
        ),
    }


def seller_for_request(request):
    site = fixed_lookups.site_for_request(request)
    return fixed_lookups.held("seller", site.pk if site else None, lambda: current_seller(site))
