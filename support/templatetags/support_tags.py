from django import template

from home.shared import page_cache
from support.models import ContactPage

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_page_url(context):
    """URL of the live contact page, or "" when the shop has none; kept until pages change."""
    request = context.get("request")

    def look_up():
        page = ContactPage.objects.live().first()
        return page.get_url(request) if page else ""

    host = request.get_host() if request else ""
    return page_cache.remember(("contact page url", host), look_up)
