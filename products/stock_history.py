"""The stock ledger in the admin: "Stock history", newest first, filtered by product or reason.

Read-only for everyone, superusers included: the rows are written by products.stock as stock
changes, never by an admin form. Registered in wagtail_hooks.py.
"""

from urllib.parse import urlencode

import django_filters
from django.urls import reverse
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, DateColumn

from home.shared.admin_access import (
    AdminWritesRefusedPolicy,
    ShopSnippetViewSet,
    may_view_records,
)

from .ledger import StockMovement, StockReason
from .models import ProductPage

stock_movement_permission_policy = AdminWritesRefusedPolicy(StockMovement)


def products_with_movements():
    return ProductPage.objects.filter(
        pk__in=StockMovement.objects.values("product")
    ).order_by("title")


class StockMovementFilterSet(WagtailFilterSet):
    # A lazy queryset: evaluated when the listing is opened, not when this module loads.
    product = django_filters.ModelChoiceFilter(
        label="Product", queryset=products_with_movements(), empty_label="Any product"
    )
    reason = django_filters.ChoiceFilter(choices=StockReason.choices, empty_label="Any reason")

    class Meta:
        model = StockMovement
        fields = ["product", "reason"]


def balance_display(movement):
    return "Not tracked" if movement.balance is None else movement.balance


def change_display(movement):
    return f"{movement.change:+d}"


class StockMovementViewSet(ShopSnippetViewSet):
    model = StockMovement
    icon = "history"
    menu_label = "Stock history"
    menu_order = 215  # next to Products
    add_to_admin_menu = True
    copy_view_enabled = False
    filterset_class = StockMovementFilterSet
    list_display = [
        DateColumn("created_at", label="When", sort_key="created_at"),
        Column("product", label="Product", accessor="product.title"),
        Column("change", label="Change", accessor=change_display, sort_key="change"),
        Column("balance", label="Balance after", accessor=balance_display),
        Column("reason", label="Reason", accessor="get_reason_display", sort_key="reason"),
        Column("order", label="Order", accessor=lambda movement: movement.order or "—"),
        Column("user", label="Staff member", accessor=lambda movement: movement.user or "—"),
    ]
    ordering = ["-created_at", "-pk"]
    list_export = ["created_at", "product", "change", "balance", "reason", "order", "user"]
    export_headings = {
        "created_at": "When", "product": "Product", "change": "Change",
        "balance": "Balance after", "reason": "Reason", "order": "Order", "user": "Staff member",
    }
    export_filename = "stock-history"

    def get_queryset(self, request):
        return StockMovement.objects.select_related("product", "user").prefetch_related("order")


class StockHistoryButton(PageMenuItem):
    """"Stock history" in a product's header and listing menus: its ledger rows."""

    label = "Stock history"
    icon_name = "history"

    @property
    def url(self):
        list_url = reverse(StockMovement.snippet_viewset.get_url_name("list"))
        return f"{list_url}?{urlencode({'product': self.page.pk})}"

    def is_shown(self, user):
        is_product = issubclass(self.page.specific_class or object, ProductPage)
        return is_product and may_view_records(user, StockMovement)
