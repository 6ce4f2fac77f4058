import logging

from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from home.shared.page_cache import cache_shop_page
from products.models import ProductPage
from products.search import catalogue_vocabulary, forgiving_queries, search_cluster_errors

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 24
# Longer queries are cut: nobody types more, and the search backend need not parse them.
MAX_QUERY_LENGTH = 200


@cache_shop_page
def search(request):
    """Products matching the query (name, description, spec values, tags), best match first.

    A query that finds nothing is tried again, forgivingly (products.search.forgiving_queries):
    with numbers split from letters, then with misspelt words corrected, which the page
    shows as "did you mean". When the search cluster fails or cannot be reached, the page
    says so with a 503 (never cached) and points to the catalogue; the rest of the shop works.
    """
    query = request.GET.get("query", "").strip()[:MAX_QUERY_LENGTH]
    products = ProductPage.objects.visible()
    page = Paginator(ProductPage.objects.none(), RESULTS_PER_PAGE).get_page(1)
    corrected_query = None
    try:
        for words, corrected in forgiving_queries(query, lambda: catalogue_vocabulary(products)):
            results = products.with_images().search(words)
            page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            if page.paginator.count:
                # Fetched here, not while the template renders, so a failure is caught below.
                page.object_list = list(page.object_list)
                corrected_query = words if corrected else None
                break
    # Evaluated only when the search fails, so the database backend never imports a client.
    except search_cluster_errors() as error:
        logger.warning("Search cluster failed for the search page: %r", error)
        return TemplateResponse(
            request,
            "search/search.html",
            {"search_query": query, "search_unavailable": True},
            status=503,
        )
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_results": page, "corrected_query": corrected_query},
    )
