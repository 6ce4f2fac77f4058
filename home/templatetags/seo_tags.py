from django import template

from home.shared import seo
from home.shared.public_address import shop_url

register = template.Library()

# The rendition link previews show: the one the product page's JSON-LD names, so it is made
# once for both (ProductPage.STRUCTURED_DATA_IMAGE).
SOCIAL_IMAGE_FILTER = "fill-800x600"


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, page):
    """Meta description, canonical link, Open Graph and Twitter card tags for `page`."""
    return seo.page_meta(page, context.get("request"), SOCIAL_IMAGE_FILTER)


@register.filter(name="shop_url")
def shop_url_filter(path):
    """A path as an absolute link on the shop's public address."""
    return shop_url(path)
