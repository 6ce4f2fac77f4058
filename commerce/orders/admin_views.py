"""Wagtail admin for the shop's orders and customers (snippets in the "Shop" menu).

Orders are read-only here: checkout creates them and pricing writes their totals, so no one,
superusers included, adds, edits or deletes an order through a form. Staff act on an order
through its status buttons, which go through commerce.orders.status.
"""

from datetime import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import registry as log_registry
from wagtail.snippets.views.snippets import IndexView, InspectView

from commerce.admin_tables import MoneyColumn, OrderLinesTable, refunds_table
from commerce.checkout.models import CheckoutDetail
from commerce.customers.models import Customer
from commerce.orders import status as order_status
from commerce.orders.models import PLACED_OR_LATER, Order, OrderStatus
from commerce.orders.refund_admin import RefundOrderView, may_refund
from commerce.orders.stock import LOG_ACTION_RESTOCK
from commerce.orders.tracking import (
    CARRIER_MAX_LENGTH,
    KNOWN_CARRIERS,
    TRACKING_NUMBER_MAX_LENGTH,
    validate_tracking_number,
)
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.payments.refunds import (
    LOG_ACTION_REFUND,
    LOG_ACTION_REFUND_FAILED,
    has_refundable_payment,
)
from commerce.pricing import format_money
from home.shared.admin_access import AdminWritesRefusedPolicy, ShopSnippetViewSet
from home.shared.admin_actions import ConfirmedActionView
from home.shared.spreadsheets import FormulaSafeExportMixin

# What the order page lists under "Status history": status changes, refunds and restocks.
ORDER_HISTORY_ACTIONS = [
    order_status.LOG_ACTION,
    LOG_ACTION_REFUND,
    LOG_ACTION_REFUND_FAILED,
    LOG_ACTION_RESTOCK,
]


# Checkout creates orders and pricing writes their totals; staff only move their status.
order_permission_policy = AdminWritesRefusedPolicy(Order)


# Customers come from sign-up and their orders keep them; staff may correct contact details.
customer_permission_policy = AdminWritesRefusedPolicy(Customer, {"add", "delete"})


def placed_orders():
    """Every order that is past the cart stage, with what the admin shows about it."""
    return (
        Order.objects.not_carts()
        .select_related("customer", "checkout_detail")
        .annotate(units=Sum("items__quantity"))
    )


class ShopIndexView(FormulaSafeExportMixin, IndexView):
    """Snippet listing whose exports keep money as numbers and never carry live formulas."""

    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime: {
            **IndexView.custom_value_preprocess[datetime],
            IndexView.FORMAT_CSV: lambda value: localtime(value).strftime("%Y-%m-%d %H:%M"),
        },
        Decimal: {IndexView.FORMAT_XLSX: None},
    }


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[choice for choice in OrderStatus.choices if choice[0] != OrderStatus.CART],
        empty_label="Any status",
    )
    date_ordered = django_filters.DateFromToRangeFilter(
        label="Date placed", widget=DateRangePickerWidget
    )
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.all(), empty_label="Any customer"
    )

    class Meta:
        model = Order
        fields = ["status", "date_ordered", "customer"]


def status_actions(order, user):
    """The status changes `user` may make to `order` now, as (status, button label) pairs."""
    if not user.has_perm(order_status.CHANGE_STATUS_PERMISSION):
        return []
    return [
        (status, order_status.action_label(order, status))
        for status in order_status.allowed_transitions(order)
    ]


class OrderInspectView(InspectView):
    """The order as staff read it: lines, totals, delivery, payment, status and its history."""

    template_name = "commerce/orders/admin/order_inspect.html"
    history_url_name = None
    status_url_name = None
    refund_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            placed_orders().prefetch_related("items"), pk=self.pk
        )

    @cached_property
    def header_more_buttons(self):
        buttons = [
            Button(
                "History",
                url=reverse(self.history_url_name, args=[self.object.pk]),
                icon_name="history",
                priority=30,
            )
        ]
        if self.object.status in PLACED_OR_LATER:
            buttons.append(
                Button(
                    "Invoice (PDF)",
                    url=reverse("invoices_admin:download", args=[self.object.number]),
                    icon_name="doc-full",
                    priority=40,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        status_url = reverse(self.status_url_name, args=[order.pk])
        checkout = getattr(order, "checkout_detail", None)
        context.update(
            order=order,
            lines_table=OrderLinesTable(order, order.items.all()),
            checkout=checkout,
            refunds_table=refunds_table(order.refunds.select_related("created_by")),
            refund_url=reverse(self.refund_url_name, args=[order.pk])
            if may_refund(self.request.user) and has_refundable_payment(checkout)
            else None,
            status_url=status_url,
            # Cancelling cannot be undone, so it asks first, and shipping asks for the
            # tracking; the other moves are one click.
            status_actions=[
                {
                    "status": status,
                    "label": label,
                    "confirm_url": f"{status_url}?status={status}"
                    if status in (OrderStatus.CANCELLED, OrderStatus.SHIPPED)
                    else None,
                }
                for status, label in status_actions(order, self.request.user)
            ],
            status_history=log_registry.get_logs_for_instance(order)
            .filter(action__in=ORDER_HISTORY_ACTIONS)
            .select_related("user")
            .order_by("timestamp", "pk"),
        )
        return context


class TrackingNumberField(forms.CharField):
    def to_python(self, value):
        # Spaces people copy from a label are not part of the number.
        return "".join(super().to_python(value).split())


class ShipmentForm(forms.Form):
    """What "Mark shipped" asks: the carrier and tracking number, both optional."""

    carrier = forms.CharField(
        max_length=CARRIER_MAX_LENGTH, required=False,
        help_text=f"{', '.join(KNOWN_CARRIERS)} get a tracking link for the customer.",
    )
    tracking_number = TrackingNumberField(
        max_length=TRACKING_NUMBER_MAX_LENGTH, required=False,
        validators=[validate_tracking_number],
    )


class ConfirmStatusChangeView(ConfirmedActionView):
    """Asks "are you sure?" before a status change that cannot be undone, then applies it
    through commerce.orders.status.

    Subclasses say which order is meant (`get_object`), where to go afterwards
    (`get_default_url`), and which status is asked for (`get_new_status`).
    """

    template_name = "commerce/orders/admin/confirm_status_change.html"
    header_icon = "clipboard-list"
    refusals = (order_status.StatusChangeRefused,)

    @property
    def order(self):
        return self.object

    def user_may_act(self):
        return self.request.user.has_perm(order_status.CHANGE_STATUS_PERMISSION)

    def get_new_status(self):
        raise NotImplementedError

    def get_page_title(self):
        try:
            return order_status.action_label(self.order, self.get_new_status())
        except (KeyError, ValueError):
            return "Change status"

    def get_form_class(self):
        if self.get_new_status() == OrderStatus.SHIPPED:
            return ShipmentForm
        return super().get_form_class()


    def get_context_data(self, **kwargs):
        new_status = self.get_new_status()
        return super().get_context_data(
            order=self.order,
            lines_table=OrderLinesTable(self.order, self.order.items.all()),
            new_status=new_status,
            new_status_label=OrderStatus(new_status).label,
            action_label=self.get_page_title(),
            collects_cash=new_status == OrderStatus.COMPLETED
            and order_status.payment_method_of(self.order) == PaymentMethod.CASH_ON_DELIVERY,
            **kwargs,
        )

    def check_allowed(self):
        order_status.check_transition(self.order, self.get_new_status())

    def perform(self, form):
        order_status.change_status(
            self.order, self.get_new_status(), user=self.request.user,
            **(form.cleaned_data if isinstance(form, ShipmentForm) else {}),
        )
        return f"{self.order} is now {self.order.get_status_display().lower()}."

    def after_success(self):
        cancelled = self.order.status == OrderStatus.CANCELLED
        if cancelled and (refunded := card_payment_refunded(self.order)):
            messages.info(
                self.request,
                f"{format_money(refunded.amount_refunded)} was given back to the customer's "
                f"{refunded.card_brand or 'card'} ending {refunded.card_last4}.",
            )


def card_payment_refunded(order):
    """The order's CheckoutDetail if its card payment was refunded, else None."""
    return CheckoutDetail.objects.filter(
        order=order, payment_status=PaymentStatus.REFUNDED
    ).first()


class OrderStatusView(ConfirmStatusChangeView):
    """POST applies the status named in the form; GET asks first (used before cancelling)."""

    index_url_name = None
    inspect_url_name = None

    def get_object(self):
        return get_object_or_404(placed_orders().prefetch_related("items"), pk=self.kwargs["pk"])

    def get_new_status(self):
        return self.request.POST.get("status") or self.request.GET.get("status", "")

    def get_default_url(self):
        return reverse(self.inspect_url_name, args=[self.order.pk])

    def get_parent_breadcrumbs(self):
        return [
            {"url": reverse(self.index_url_name), "label": "Orders"},
            {"url": self.get_default_url(), "label": str(self.order)},
        ]


class OrderViewSet(ShopSnippetViewSet):
    model = Order
    icon = "clipboard-list"
    menu_label = "Orders"
    index_view_class = ShopIndexView
    inspect_view_class = OrderInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "number",
        Column("customer", label="Customer", accessor="customer_label", sort_key="billing_name"),
        "status",
        DateColumn("date_ordered", label="Placed", sort_key="date_ordered"),
        Column("units", label="Units", sort_key="units"),
        MoneyColumn("total", label="Total", sort_key="total"),
    ]
    ordering = "-date_ordered"
    filterset_class = OrderFilterSet
    search_fields = ["number", "billing_name", "billing_email", "customer__name", "customer__email"]
    search_backend_name = None
    export_headings = {
        "number": "Order",
        "date_ordered": "Placed",
        "get_status_display": "Status",
        "billing_name": "Customer",
        "billing_email": "Email",
        "units": "Units",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "shipping_method_name": "Shipping method",
        "shipping": "Shipping",
        "tax_rate": "Tax rate (%)",
        "tax": "Tax",
        "total": "Total",
    }
    list_export = list(export_headings)
    export_filename = "orders"

    def get_queryset(self, request):
        return placed_orders()

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            status_url_name=self.get_url_name("status"),
            refund_url_name=self.get_url_name("refund"),
            **kwargs,
        )

    def get_urlpatterns(self):
        status_view = OrderStatusView.as_view(
            index_url_name=self.get_url_name("list"),
            inspect_url_name=self.get_url_name("inspect"),
        )
        refund_view = RefundOrderView.as_view(
            index_url_name=self.get_url_name("list"),
            inspect_url_name=self.get_url_name("inspect"),
        )
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", status_view, name="status"),
            path("refund/<int:pk>/", refund_view, name="refund"),
        ]
