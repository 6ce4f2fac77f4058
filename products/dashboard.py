"""The "Low stock" panel on the Wagtail admin home page, for the staff who read stock
(fulfilment, marketers and superusers): products at or below their threshold, lowest first,
each linked to its editor. Two queries whatever the number of products."""

from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, Table, TitleColumn

from home.shared.admin_access import may_view_records

from .ledger import StockMovement
from .low_stock import editor_url, low_stock_products


def add_low_stock_panel(request, panels):
    """`construct_homepage_panels` hook."""
    if may_view_records(request.user, StockMovement):
        panels.append(LowStockPanel())


def stock_display(product):
    return "Out of stock" if product.stock <= 0 else product.stock


class LowStockPanel(Component):
    name = "shop_low_stock"
    template_name = "products/dashboard/low_stock_panel.html"
    order = 70
    shown = 10

    def get_context_data(self, parent_context):
        products = low_stock_products()
        shown = list(products[: self.shown])
        urls = {product: editor_url(product) for product in shown}
        table = Table(
            [
                TitleColumn("title", label="Product", get_url=urls.get),
                Column("stock", label="Stock", accessor=stock_display),
                Column("threshold", label="Threshold"),
            ],
            shown,
            classname="listing listing--dashboard",
        )
        count = len(shown) if len(shown) < self.shown else products.count()
        return {"products": shown, "table": table, "count": count}
