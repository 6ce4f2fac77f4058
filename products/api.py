"""The read-only catalogue API (Wagtail API v2), mounted at /api/v2/ in config/urls.py.

    GET /api/v2/products/            live products: price, stock state, specs, tags, images
    GET /api/v2/products/<id>/       one product, with its variants (SKU, options, price, stock)
    GET /api/v2/products/?search=... and ?brand=Dell, ?ram_gb=16, ?order=price, ?limit/&offset

Fields are declared in ProductPage.api_fields. Only published, public products are served.
"""

import logging

from rest_framework.response import Response
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError, parse_fields_parameter
from wagtail.api.v2.views import PagesAPIViewSet

from .models import ProductPage
from .search import search_cluster_errors, search_words

logger = logging.getLogger(__name__)


class ProductSearchFilter(SearchFilter):
    """Wagtail's ?search=, reading the text as plain words (products/search.py); a
    ?search_operator= other than "and" or "or" is a 400, not Wagtail's ValueError."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if request.GET.get("search_operator", "or").lower() not in ("and", "or", ""):
            raise BadRequestError("search_operator must be 'and' or 'or'")
        # Wagtail's filter reads the query string itself: hand it the words instead.
        params = request.GET.copy()
        params["search"] = search_words(params["search"])
        request._request.GET = params
        return super().filter_queryset(request, queryset, view)


class ProductsAPIViewSet(PagesAPIViewSet):
    name = "products"
    model = ProductPage
    # This endpoint serves one page type; ?type= would let it serve others.
    known_query_parameters = PagesAPIViewSet.known_query_parameters - {"type"}
    filter_backends = [
        ProductSearchFilter if backend is SearchFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "price",
        "price_from",
        "in_stock",
        "brand",
        "tags",
        "image_card",
    ]

    def get_queryset(self):
        visible = self.get_base_queryset().values("pk")
        products = (
            ProductPage.objects.filter(pk__in=visible)
            .with_images()
            .prefetch_related("tags", "variants")
            .select_related("locale")  # ?fields=* shows each product's locale
            .order_by("path")
        )
        # The gallery costs three queries for the whole page, only when it is asked for.
        return products.with_gallery() if self.gallery_requested() else products

    def listing_view(self, request):
        """The listing; a ?search= the search cluster fails to answer is a 503 that says so."""
        try:
            return super().listing_view(request)
        except search_cluster_errors() as error:
            logger.warning("Search cluster failed for the products API: %r", error)
            return Response(
                {"message": "Search is not working at the moment; try again in a few minutes."},
                status=503,
            )

    def gallery_requested(self):
        """True if the listing's ?fields= names the gallery, or * without -gallery (the
        detail view always shows it)."""
        if self.action != "listing_view":
            return True
        try:
            fields = parse_fields_parameter(self.request.GET.get("fields", ""))
        except ValueError:
            return False  # Wagtail answers the malformed parameter with a 400 itself
        named = {name: negated for name, negated, _nested in fields}
        if "gallery" in named:
            return not named["gallery"]
        return named.get("*") is False

    def find_object(self, queryset, request):
        # Wagtail hands ?id= to the query as it came: "abc" would be a server error.
        if "id" in request.GET:
            try:
                int(request.GET["id"])
            except ValueError:
                raise BadRequestError("id must be a whole number") from None
        return super().find_object(queryset, request)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("products", ProductsAPIViewSet)
