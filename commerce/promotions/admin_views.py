"""The voucher codes marketers edit in the Wagtail admin (Promotions › Voucher codes), with each
code's uses and the money it took off, in the listing and its CSV/XLSX export."""

from wagtail.admin.ui.tables import BooleanColumn, Column

from commerce.admin_tables import MoneyColumn
from commerce.promotions.models import Voucher
from commerce.promotions.vouchers import vouchers_with_uses
from home.shared.admin_access import ShopSnippetViewSet


class VoucherViewSet(ShopSnippetViewSet):
    model = Voucher
    icon = "tag"
    menu_label = "Voucher codes"
    menu_order = 170
    add_to_admin_menu = True
    url_prefix = "promotions/vouchers"
    list_display = [
        "code",
        Column("kind", label="Off", accessor="get_kind_display"),
        "value",
        MoneyColumn("minimum_order", label="Minimum order"),
        "starts_at",
        "ends_at",
        Column("usage_limit", label="Total uses"),
        Column("uses", label="Used", sort_key="uses"),
        MoneyColumn("discounted", label="Discounted"),
        BooleanColumn("active"),
        BooleanColumn("public"),
    ]
    list_filter = ["active", "public", "kind"]
    search_fields = ["code"]
    list_export = [
        "code", "kind", "value", "minimum_order", "starts_at", "ends_at", "usage_limit",
        "per_customer_limit", "active", "public", "uses", "discounted_amount",
    ]
    export_headings = {"uses": "Used", "discounted_amount": "Discounted"}
    export_filename = "vouchers"

    def get_queryset(self, request):
        return vouchers_with_uses()
