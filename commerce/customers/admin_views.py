"""The Customers snippet in the Wagtail admin: list, filters, inspect and the edit form."""

import django_filters
from django import forms
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views.snippets import InspectView

from commerce.admin_tables import customer_orders_table
from commerce.customers.accounts import change_email, email_in_use
from commerce.customers.models import Customer
from commerce.orders.admin_views import ShopIndexView, placed_orders
from commerce.orders.models import Order, cart_q
from home.shared.admin_access import ShopSnippetViewSet, may_view_records
from home.shared.phone import PhoneNumberField


class CustomerFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(
        label="Joined", widget=DateRangePickerWidget
    )
    has_orders = django_filters.BooleanFilter(
        label="Has placed an order", method="filter_has_orders"
    )

    class Meta:
        model = Customer
        fields = ["created_at", "has_orders"]

    def filter_has_orders(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(orders_placed__gt=0) if value else queryset.filter(orders_placed=0)


class CustomerAdminForm(WagtailAdminModelForm):
    """Staff correct a customer's details; a new email address becomes their login
    account's too (commerce.customers.accounts.change_email), and must not be another account's."""

    phone = PhoneNumberField(required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_in_use(email, user=self.instance.user):
            raise forms.ValidationError(
                "Another account already uses this email address.", code="email_in_use"
            )
        return email

    def save(self, commit=True):
        customer = super().save(commit=False)
        if commit:
            with transaction.atomic():
                if "email" in self.changed_data:
                    change_email(customer, customer.email, confirmed=False)
                customer.save()
        return customer


class CustomerInspectView(InspectView):
    """The customer's details, their address book and, for staff who may see orders, their
    latest orders."""

    template_name = "commerce/customers/admin/customer_inspect.html"
    recent_orders_shown = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The address book is read-only here: it is the customer's to manage.
        context["addresses"] = list(self.object.addresses.all())
        if may_view_records(self.request.user, Order):
            orders_viewset = Order.snippet_viewset
            orders = placed_orders().filter(customer=self.object).order_by("-date_ordered")
            context["orders_table"] = customer_orders_table(
                orders[: self.recent_orders_shown], orders_viewset.get_url_name("inspect")
            )
            context["orders_url"] = (
                f"{reverse(orders_viewset.get_url_name('list'))}?customer={self.object.pk}"
            )
        return context


class CustomerViewSet(ShopSnippetViewSet):
    model = Customer
    icon = "group"
    menu_label = "Customers"
    index_view_class = ShopIndexView
    inspect_view_class = CustomerInspectView
    inspect_view_enabled = True
    inspect_view_fields = ["name", "email", "phone", "created_at"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("email"), FieldPanel("phone")],
        base_form_class=CustomerAdminForm,
    )
    list_display = [
        "name",
        "email",
        "phone",
        Column("orders_placed", label="Orders", sort_key="orders_placed"),
        DateColumn("created_at", label="Joined", sort_key="created_at"),
    ]
    ordering = "name"
    filterset_class = CustomerFilterSet
    search_fields = ["name", "email", "phone"]
    search_backend_name = None
    export_headings = {
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "orders_placed": "Orders",
        "created_at": "Joined",
    }
    list_export = list(export_headings)
    export_filename = "customers"

    def get_queryset(self, request):
        return Customer.objects.annotate(
            orders_placed=Count("orders", filter=~cart_q(via="orders__"))
        )
