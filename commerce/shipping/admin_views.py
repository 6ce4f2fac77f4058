"""The shipping methods and tax rates staff edit in the Wagtail admin (Shop › Shipping)."""

from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from commerce.admin_tables import MoneyColumn
from commerce.shipping.models import ShippingMethod, TaxRate
from home.shared.admin_access import ShopSnippetViewSet


class ShippingMethodViewSet(ShopSnippetViewSet):
    model = ShippingMethod
    icon = "site"
    menu_label = "Shipping methods"
    url_prefix = "shipping/methods"
    list_display = [
        "name",
        "delivery_estimate",
        MoneyColumn("flat_price", label="Flat price"),
        MoneyColumn("price_per_kg", label="Per kg"),
        MoneyColumn("free_above", label="Free from"),
        Column("states", label="States", accessor=lambda method: ", ".join(method.states) or "All"),
        BooleanColumn("active"),
        "sort_order",
    ]
    list_filter = ["active"]


class TaxRateViewSet(ShopSnippetViewSet):
    model = TaxRate
    icon = "table"
    menu_label = "Sales tax rates"
    url_prefix = "shipping/tax-rates"
    list_display = ["state", "rate", BooleanColumn("taxes_shipping", label="Shipping taxed")]


class ShippingViewSetGroup(SnippetViewSetGroup):
    menu_label = "Shipping & tax"
    menu_icon = "site"
    menu_order = 160
    items = (ShippingMethodViewSet, TaxRateViewSet)
