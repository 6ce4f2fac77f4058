"""The shop's one public address, SHOP_BASE_URL: every absolute link the shop gives out.

Emails, the API, the sitemap, canonical links, Open Graph tags and JSON-LD are all built here,
so none of them depends on the Wagtail Site's hostname (`localhost` unless someone changes it
in the admin) or on the Host header a request happened to carry.
"""

from urllib.parse import urlsplit

from django.conf import settings


def shop_url(path):
    """`path` (as from `reverse`, `page.url` or a rendition's `url`) on the public address.

    An address that is already absolute (media on a CDN or a bucket) is returned as it is.
    """
    if path is None:
        return None
    if urlsplit(path).scheme:
        return path
    return settings.SHOP_BASE_URL.rstrip("/") + path


class PublicAddressMixin:
    """For every page model of the shop: its full URL (`full_url`, `get_full_url`, and so the
    sitemap, the API's `html_url` and the admin's "view live") is on SHOP_BASE_URL.

    Wagtail documents overriding `get_url_parts` for this; relative URLs are unchanged.
    """

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request=request)
        if parts is None or parts[2] is None:
            return parts
        site_id, _site_root_url, page_path = parts
        return site_id, settings.SHOP_BASE_URL.rstrip("/"), page_path
