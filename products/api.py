"""The read-only catalogue API (Wagtail API v2), mounted at /api/v2/ in config/urls.py.

    GET /api/v2/products/            live products: price, stock state, specs, tags, images
    GET /api/v2/products/<id>/       one product
    GET /api/v2/products/?search=... and ?brand=Dell, ?ram_gb=16, ?order=price, ?limit/&offset

Fields are declared in ProductPage.api_fields. Only published, public products are served.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from .models import ProductPage


class ProductsAPIViewSet(PagesAPIViewSet):
    name = "products"
    model = ProductPage
    # This endpoint serves one page type; ?type= would let it serve others.
    known_query_parameters = PagesAPIViewSet.known_query_parameters - {"type"}
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "price",
        "in_stock",
        "brand",
        "tags",
        "image_card",
    ]

    def get_queryset(self):
        visible = self.get_base_queryset().values("pk")
        return (
            ProductPage.objects.filter(pk__in=visible)
            .with_images()
            .prefetch_related("tags")
            .order_by("path")
        )


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("products", ProductsAPIViewSet)
