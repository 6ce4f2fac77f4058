"""What a page tells search engines and link previews: its meta description, canonical link
and Open Graph / Twitter card tags (templates/includes/page_meta.html, drawn by the
`page_meta` tag). Every link is on the public address (home/shared/public_address.py).

Page models inherit SeoPageMixin and override its hooks; this module imports no content app.
"""

import html

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator

from home.shared.public_address import PublicAddressMixin, shop_url

# Search engines show about this many characters of a description.
META_DESCRIPTION_CHARS = 160


def plain_text_excerpt(text, limit=META_DESCRIPTION_CHARS):
    """`text` (plain or rich text HTML) as one line of plain text of at most `limit`
    characters, cut at a word with an ellipsis."""
    words = html.unescape(strip_tags(text or "")).split()
    return Truncator(" ".join(words)).chars(limit)


class SeoPageMixin(PublicAddressMixin):
    """For every page model of the shop. The editor's "search description" (Promote tab) wins;
    otherwise `default_meta_description` says what the page is."""

    # Open Graph type; ProductPage says "product".
    open_graph_type = "website"

    @property
    def meta_description(self):
        return plain_text_excerpt(self.search_description) or self.default_meta_description()

    def default_meta_description(self):
        return f"{self.title} at {settings.WAGTAIL_SITE_NAME}."

    @property
    def social_image(self):
        """The Wagtail image a link preview shows, or None."""
        return None

    def open_graph_properties(self):
        """Extra (property, content) pairs, such as a product's price."""
        return []

    def canonical_url(self, request=None):
        """The address search engines should index this page under: its full URL, plus the
        page number of a paginated listing (filters and sorting are left out)."""
        url = self.get_full_url(request)
        page_number = request.GET.get("page", "") if request is not None else ""
        if url and page_number.isdigit() and int(page_number) > 1:
            url += f"?page={int(page_number)}"
        return url


def page_meta(page, request, image_filter):
    """The template context for templates/includes/page_meta.html."""
    image = page.social_image
    rendition = image.get_rendition(image_filter) if image else None
    return {
        "title": page.seo_title or page.title,
        "description": page.meta_description,
        "canonical_url": page.canonical_url(request) if page.pk else None,
        "open_graph_type": page.open_graph_type,
        "open_graph_properties": page.open_graph_properties(),
        "image": rendition,
        "image_url": shop_url(rendition.url) if rendition else None,
        "image_alt": image.default_alt_text if image else "",
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
