from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from products.models import ProductPage

RESULTS_PER_PAGE = 24


def search(request):
    query = request.GET.get("query", "").strip()
    results = ProductPage.objects.none()
    if query:
        results = ProductPage.objects.live().search(query)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "search/search.html", {"search_query": query, "search_results": page}
    )
