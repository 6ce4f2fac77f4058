from django.conf import settings
from django.utils.functional import SimpleLazyObject

from home.shared import page_cache
from products.models import ProductIndexPage


def catalogue_url():
    index = ProductIndexPage.objects.live().order_by("path").first()
    return index.url if index else ""


def shop(request):
    """Shop name and catalogue link for the header. The link is looked up once, when first
    rendered, and kept until the catalogue changes."""
    return {
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "catalogue_url": SimpleLazyObject(
            lambda: page_cache.remember(("catalogue url",), catalogue_url)
        ),
    }
