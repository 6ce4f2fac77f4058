"""Back-in-stock requests in the admin: when each was made, for which product, whether it was
emailed, and how many wait for that product.

Read-only, superusers included: requests come from the product page and are closed by the
restock email (products.back_in_stock). Marketers see them (home/shared/roles.py) as demand,
so the listing never shows the shopper's email address. Registered in wagtail_hooks.py.
"""

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn

from home.shared.admin_access import AdminWritesRefusedPolicy, ShopSnippetViewSet

from .back_in_stock import BackInStockRequest, open_requests
from .models import ProductPage

back_in_stock_permission_policy = AdminWritesRefusedPolicy(BackInStockRequest)


def products_with_requests():
    return ProductPage.objects.filter(
        pk__in=BackInStockRequest.objects.values("product")
    ).order_by("title")


class BackInStockRequestFilterSet(WagtailFilterSet):
    product = django_filters.ModelChoiceFilter(
        label="Product", queryset=products_with_requests(), empty_label="Any product"
    )
    waiting = django_filters.BooleanFilter(
        label="Still waiting", field_name="notified_at", lookup_expr="isnull"
    )

    class Meta:
        model = BackInStockRequest
        fields = ["product", "waiting"]


def waiting_for_product():
    """The number of open requests for each request's product, as an annotation."""
    counts = (
        open_requests().filter(product=OuterRef("product"))
        .order_by().values("product").annotate(count=Count("pk")).values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def notified_display(request):
    return request.notified_at or "Still waiting"


class BackInStockRequestViewSet(ShopSnippetViewSet):
    model = BackInStockRequest
    icon = "mail"
    menu_label = "Back-in-stock requests"
    menu_order = 216  # next to Stock history
    add_to_admin_menu = True
    copy_view_enabled = False
    filterset_class = BackInStockRequestFilterSet
    list_display = [
        DateColumn("created_at", label="Asked", sort_key="created_at"),
        Column("product", label="Product", accessor="product.title"),
        Column("waiting", label="Waiting for this product", sort_key="waiting"),
        Column("notified_at", label="Emailed", accessor=notified_display, sort_key="notified_at"),
    ]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request):
        return BackInStockRequest.objects.select_related("product").annotate(
            waiting=waiting_for_product()
        )
