from django.conf import settings

from products.models import ProductIndexPage


def catalogue_url():
    index = ProductIndexPage.objects.live().order_by("path").first()
    return index.url if index else ""


def shop(request):
    """Shop name and catalogue link for the header; the link is only looked up if rendered."""
    return {"shop_name": settings.WAGTAIL_SITE_NAME, "catalogue_url": catalogue_url}
