from django.urls import reverse
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.views.pages.usage import ContentTypeUseView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from home.shared import page_cache
from home.shared.spreadsheets import FormulaSafeExportMixin

from .back_in_stock import BackInStockRequest
from .back_in_stock_admin import BackInStockRequestViewSet, back_in_stock_permission_policy
from .dashboard import add_low_stock_panel
from .forms import visitors_back_in_stock_form
from .ledger import StockMovement
from .models import ProductPage
from .sales import next_price_change
from .stock_history import (
    StockHistoryButton,
    StockMovementViewSet,
    stock_movement_permission_policy,
)
from .views import (
    ProductPageCopyView,
    ProductPageCreateView,
    ProductPageEditView,
    ProductPageRevertView,
    record_copied_stock,
)


def stock_display(product):
    return "Not tracked" if product.stock is None else product.stock


def price_display(product):
    """The product's price, or the range its configurations sell at ("999.00–1299.00")."""
    if product.has_price_range:
        return f"{product.price_from}–{product.price_to}"
    return product.listing_price


class ProductListingMixin(FormulaSafeExportMixin):
    """Counts each product's variants in the listing's own query, not one query per row."""

    def annotate_queryset(self, pages):
        return super().annotate_queryset(pages.with_variant_count())


class ProductPageIndexView(ProductListingMixin, ExplorableIndexView):
    pass


class ProductPageTypeUseView(ProductListingMixin, ContentTypeUseView):
    pass


class ProductPageViewSet(PageViewSet):
    """Product pages in the admin.

    Listings (the shop's page explorer and the flat "Products" list) show the price (the
    range of the configurations), the number of variants and the total stock, sortable, and
    can be exported; editing applies stock changes to the live product.
    """

    model = ProductPage
    icon = "tag"
    index_view_class = ProductPageIndexView
    content_type_use_view_class = ProductPageTypeUseView
    add_view_class = ProductPageCreateView
    copy_view_class = ProductPageCopyView
    edit_view_class = ProductPageEditView
    revisions_revert_view_class = ProductPageRevertView
    list_display = [column for column in PageViewSet.columns if column.name != "type"] + [
        Column("price", label="Price", accessor=price_display, sort_key="price_from",
               width="12%"),
        Column("variant_count", label="Variants", sort_key="variant_count", width="8%"),
        Column("stock", label="Stock", accessor=stock_display, sort_key="stock", width="10%"),
    ]
    list_export = [
        "title", "brand", "ram_gb", "price", "price_from", "price_to", "variant_count",
        "stock", "live", "url",
    ]
    export_headings = {
        "ram_gb": "RAM (GB)", "price_from": "Price from", "price_to": "Price to",
        "variant_count": "Variants", "url": "URL",
    }


@hooks.register("register_admin_viewset")
def register_product_page_viewset():
    return ProductPageViewSet()


class ProductsMenuItem(MenuItem):
    def is_shown(self, request):
        # Only for staff who may edit pages: support and fulfilment staff would be refused.
        return user_has_any_page_permission(request.user)


@hooks.register("register_admin_menu_item")
def register_products_menu_item():
    return ProductsMenuItem(
        "Products",
        reverse("wagtailadmin_pages:type_use", args=["products", "productpage"]),
        icon_name="tag",
        order=210,
    )


@hooks.register("register_page_header_buttons")
def stock_history_header_button(page, user, view_name, next_url=None):
    yield StockHistoryButton(page=page, priority=67)


@hooks.register("register_page_listing_more_buttons")
def stock_history_listing_button(page, user, next_url=None):
    yield StockHistoryButton(page=page, priority=55)


@hooks.register("after_copy_page")
def record_stock_of_copied_products(request, page, new_page):
    record_copied_stock(request, page, new_page)


hooks.register("construct_homepage_panels", add_low_stock_panel)


# The policy first: Wagtail must not build its default one for the model before it.
register_permission_policy(StockMovement, stock_movement_permission_policy)
register_snippet(StockMovementViewSet)
register_permission_policy(BackInStockRequest, back_in_stock_permission_policy)
register_snippet(BackInStockRequestViewSet)


@hooks.register(page_cache.PERSONAL_PARTS_HOOK)
def back_in_stock_personal_parts():
    return {"back-in-stock-email": (
        "products/includes/back_in_stock_email.html",
        lambda request: {"form": visitors_back_in_stock_form(request)},
    )}


# A cached page holds prices: none is kept past the next sale starting or ending.
hooks.register(page_cache.EXPIRY_HOOK, next_price_change)
