"""The fulfilment queue: orders ready to ship, oldest first, with a "Mark shipped" action.

Ready to ship is what commerce.orders.status allows: paid card orders, and cash-on-delivery
orders, which ship unpaid (the queue says how much the courier collects).

Built with wagtail-modeladmin over checkout details (the delivery address lives there). The
queue is a work list, not an editor: nothing here adds, edits or deletes a record, and
shipping goes through commerce.orders.status like every other status change.
"""

from django.contrib.auth.models import Permission
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import re_path
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView

from commerce.checkout.models import CheckoutDetail
from commerce.orders import status as order_status
from commerce.orders.admin_views import ConfirmStatusChangeView
from commerce.orders.models import OrderItem, OrderStatus
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.pricing import format_money
from home.shared.spreadsheets import FormulaSafeExportMixin


def awaiting_shipment():
    """Checkout details of orders ready to ship and not shipped yet, oldest order first."""
    return (
        CheckoutDetail.objects.filter(order_status.ready_to_ship_q(via="order__"))
        .select_related("order", "order__customer")
        .prefetch_related(Prefetch("order__items", queryset=OrderItem.objects.order_by("pk")))
        .order_by("order__date_ordered", "pk")
    )


class FulfilmentPermissionHelper(PermissionHelper):
    """Whoever may change order statuses works the queue; nobody edits records from it."""

    def user_can_list(self, user):
        return user.has_perm(order_status.CHANGE_STATUS_PERMISSION)

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class FulfilmentButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        if not self.permission_helper.user_can_list(self.request.user):
            return []
        return [
            {
                "url": self.url_helper.get_action_url("ship", obj.pk),
                "label": order_status.ACTION_LABELS[OrderStatus.SHIPPED],
                "classname": self.finalise_classname(classnames_add, classnames_exclude),
                "title": f"Mark {obj.order} as shipped",
            }
        ]


class MarkShippedView(ConfirmStatusChangeView):
    """Confirm, then ship the order behind one row of the queue."""

    model_admin = None
    header_icon = "tasks"

    def get_object(self):
        detail = get_object_or_404(
            CheckoutDetail.objects.select_related("order__customer"),
            pk=self.kwargs["instance_pk"],
        )
        return detail.order

    def get_new_status(self):
        return OrderStatus.SHIPPED

    def get_default_url(self):
        return self.model_admin.url_helper.index_url

    def get_parent_breadcrumbs(self):
        return [{"url": self.get_default_url(), "label": self.model_admin.menu_label}]


class FulfilmentIndexView(FormulaSafeExportMixin, IndexView):
    page_title = "Fulfilment queue"

    def __init__(self, model_admin):
        super().__init__(model_admin)
        # The queue lists orders to ship; that checkout details hold them is ours to know.
        self.verbose_name = "order to ship"
        self.verbose_name_plural = "orders to ship"


class FulfilmentQueueAdmin(ModelAdmin):
    model = CheckoutDetail
    base_url_path = "fulfilment"
    menu_label = "Fulfilment"
    menu_icon = "tasks"
    menu_order = 160
    add_to_admin_menu = True
    index_view_class = FulfilmentIndexView
    permission_helper_class = FulfilmentPermissionHelper
    button_helper_class = FulfilmentButtonHelper
    history_view_enabled = False
    list_display = (
        "order_number", "customer_name", "address", "city", "state", "zip_code", "order_items",
        "payment",
    )
    list_export = (
        "order_number", "customer_name", "phone", "street", "city", "state", "zip_code",
        "order_items", "payment",
    )
    export_filename = "fulfilment-queue"
    search_fields = ("order__number", "order__billing_name", "city", "zip_code")
    list_per_page = 50

    def get_queryset(self, request):
        return awaiting_shipment()

    def get_permissions_for_registration(self):
        # The queue is governed by commerce.change_order_status (listed with orders), so
        # checkout detail permissions would only add boxes that change nothing.
        return Permission.objects.none()

    def order_number(self, detail):
        return detail.order.number

    order_number.short_description = "Order"

    def customer_name(self, detail):
        return detail.order.customer_label

    customer_name.short_description = "Customer"

    def order_items(self, detail):
        return ", ".join(
            f"{item} [SKU {item.sku}]" if item.sku else str(item)
            for item in detail.order.items.all()
        )

    order_items.short_description = "Items"

    def street(self, detail):
        return ", ".join(line for line in (detail.address, detail.address_line2) if line)

    street.short_description = "Address"

    def payment(self, detail):
        if (
            detail.payment_method == PaymentMethod.CASH_ON_DELIVERY
            and detail.payment_status == PaymentStatus.PENDING
        ):
            return f"Collect {format_money(detail.order.total)} on delivery"
        return "Paid"

    payment.short_description = "Payment"

    def ship_view(self, request, instance_pk):
        return MarkShippedView.as_view(model_admin=self)(request, instance_pk=instance_pk)

    def get_admin_urls_for_registration(self):
        return (
            *super().get_admin_urls_for_registration(),
            re_path(
                self.url_helper.get_action_url_pattern("ship"),
                self.ship_view,
                name=self.url_helper.get_action_url_name("ship"),
            ),
        )
