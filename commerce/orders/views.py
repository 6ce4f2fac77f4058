"""The shopper's own orders: the order history and one order's page (others get 404).

A customer opens their orders signed in; a guest opens theirs from the browser that placed
it or with the signed link of its confirmation email (commerce.orders.guest_orders)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from commerce.orders.guest_orders import LINK_PARAMETER, guest_order_for, is_guest_order_number
from commerce.orders.models import Order

ORDERS_PER_PAGE = 20


def shopper_order_view(view):
    """For a view of one order (`number`): a visitor who is not signed in is sent to log in,
    as before guest checkout, unless the order is a guest's or they bring a signed link;
    then the view's customer_order decides (their own order, or 404)."""

    @wraps(view)
    def wrapped(request, number, *args, **kwargs):
        if not request.user.is_authenticated and not (
            request.GET.get(LINK_PARAMETER) or is_guest_order_number(number)
        ):
            return redirect_to_login(request.get_full_path())
        return view(request, number, *args, **kwargs)

    return wrapped


def customer_order(request, number, orders=None):
    """The order `number` (of `orders`, default every order past the cart) with its lines, if
    whoever made `request` may see it: the signed-in customer who placed it, or, for a
    guest's order, the browser that placed it or a request with its signed link. Raises
    Http404 otherwise: someone else's order looks like one that does not exist."""
    if orders is None:
        orders = Order.objects.not_carts()
    orders = orders.select_related("checkout_detail")
    order = None
    if request.user.is_authenticated:
        order = orders.filter(number=number, customer__user=request.user).first()
    if order is None:
        order = guest_order_for(request, number, orders)
    if order is None:
        raise Http404("No such order.")
    return order, list(order.items.all())


@shopper_order_view
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
