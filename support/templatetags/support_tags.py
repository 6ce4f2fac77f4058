from django import template

from home.shared import fixed_lookups
from support.models import ContactPage

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_page_url(context):
    """URL of the live contact page, or "" when the shop has none; held until pages change."""
    request = context.get("request")

    def look_up():
        page = ContactPage.objects.live().first()
        return page.get_url(request) if page else ""

    host = request.get_host() if request else ""
    return fixed_lookups.held("contact page url", host, look_up)
