"""The customer's own orders: the order history and one order's page (others get 404)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from commerce.orders.models import Order

ORDERS_PER_PAGE = 20


def customer_order(request, number):
    """The placed order `number` if it belongs to the signed-in customer; 404 otherwise."""
    orders = Order.objects.not_carts().select_related("checkout_detail")
    order = get_object_or_404(orders, number=number, customer__user=request.user)
    return order, list(order.items.all())


@login_required
def order_detail(request, number):
    order, items = customer_order(request, number)
    return render(request, "commerce/orders/order_detail.html", {"order": order, "items": items})


@login_required
def order_list(request):
    orders = Order.objects.not_carts().filter(customer__user=request.user)
    page = Paginator(orders.order_by("-date_ordered"), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "commerce/orders/order_list.html", {"page_obj": page, "orders": page})
