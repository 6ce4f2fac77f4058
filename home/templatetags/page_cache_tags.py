from django import template

from home.shared import page_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_part(context, name, *args):
    """{% personal_part "header-account" %}: a part of a cached page that is each visitor's
    own, rendered for the visitor here and again for every visitor the cached page is served
    to (home/shared/page_cache.py). Arguments are ids or slugs."""
    return page_cache.personal_part(context["request"], name, *args)
