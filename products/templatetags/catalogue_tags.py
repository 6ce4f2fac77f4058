import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from home.shared import page_cache

register = template.Library()

# Characters that could end the script element or open a comment inside it, written as JSON
# escapes instead (the same set Django's json_script filter escapes).
_SCRIPT_SAFE = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A <script type="application/ld+json"> element holding data, safe for any text in it."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


CARD_TEMPLATE = "includes/product_card.html"


@register.simple_tag(takes_context=True)
def product_cards(context, products):
    """The cards of `products`, each one's HTML kept like the cached pages: until the
    catalogue next changes or a sale starts or ends (home/shared/page_cache.py). A page
    rendered afresh (a logged-in shopper's, another sort order) renders only the cards not
    kept. Cards hold nothing personal; their links depend on the site, hence the host."""
    products = list(products)
    request = context.get("request")
    host = request.get_host() if request is not None else ""
    template = context.template.engine.get_template(CARD_TEMPLATE)

    def render(indexes):
        cards = []
        for index in indexes:
            with context.push(product=products[index]):
                cards.append(template.render(context))
        return cards

    cards = page_cache.remember_each(
        [("product card", host, product.pk) for product in products], render
    )
    return mark_safe("".join(cards))
