from django.conf import settings
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from home.shared import page_cache
from home.shared.seller import current_seller
from products.models import ProductIndexPage


def catalogue_url():
    index = ProductIndexPage.objects.live().order_by("path").first()
    return index.url if index else ""


def shop(request):
    """Shop name and catalogue link for the header, and the seller for the footer. The link
    is looked up once, when first rendered, and kept until the catalogue changes; the seller
    only when a template shows it."""
    return {
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "seller": SimpleLazyObject(lambda: current_seller(Site.find_for_request(request))),
        "catalogue_url": SimpleLazyObject(
            lambda: page_cache.remember(("catalogue url",), catalogue_url)
        ),
    }
