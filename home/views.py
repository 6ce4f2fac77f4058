from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from home.shared.public_address import shop_url


@require_safe
def robots_txt(request):
    """Crawlers may read the catalogue; carts, checkout, accounts, search results and the
    admin are no use in a search engine. Points them at the sitemap."""
    content = render_to_string(
        "robots.txt", {"sitemap_url": shop_url(reverse("sitemap"))}
    )
    return HttpResponse(content, content_type="text/plain; charset=utf-8")
