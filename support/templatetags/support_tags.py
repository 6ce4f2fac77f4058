from django import template

from support.models import ContactPage

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_page_url(context):
    """URL of the live contact page, or "" when the shop has none."""
    page = ContactPage.objects.live().first()
    return page.get_url(context.get("request")) if page else ""
