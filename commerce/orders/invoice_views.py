"""Invoice downloads: shoppers get their own orders' invoices (a guest by the browser that
placed the order or its signed link), staff get any order's."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from wagtail.admin.auth import user_passes_test

from commerce.orders.invoices import invoice_filename, render_invoice_pdf
from commerce.orders.models import Order
from commerce.orders.views import customer_order, shopper_order_view
from home.shared.admin_access import may_view_records


def may_view_orders(user):
    return may_view_records(user, Order)


@shopper_order_view
def customer_invoice(request, number):
    # Another shopper's order, a cart or a cancelled order all answer 404.
    order, _items = customer_order(request, number, _invoiceable_orders())
    return _pdf_response(order)


@user_passes_test(may_view_orders)
def staff_invoice(request, number):
    return _pdf_response(get_object_or_404(_invoiceable_orders(), number=number))


def _invoiceable_orders():
    return Order.objects.placed().select_related(
        "customer", "checkout_detail"
    )


def _pdf_response(order):
    response = HttpResponse(render_invoice_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(order)}"'
    return response
