from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from home.shared.page_cache import cache_for_anonymous
from products.models import ProductPage
from products.search import search_words

RESULTS_PER_PAGE = 24
# Longer queries are cut: nobody types more, and the search backend need not parse them.
MAX_QUERY_LENGTH = 200


@cache_for_anonymous
def search(request):
    """Products matching the query (name, description, spec values, tags), best match first."""
    query = request.GET.get("query", "").strip()[:MAX_QUERY_LENGTH]
    words = search_words(query)
    results = ProductPage.objects.none()
    if words:
        results = ProductPage.objects.visible().with_images().search(words)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "search/search.html", {"search_query": query, "search_results": page}
    )
