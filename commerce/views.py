"""Cart, checkout and account pages. Thin: the rules live in cart.py, checkout.py, pricing.py."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from home.models import EmailStatus
from home.next_url import safe_next_url

from .accounts import (
    EmailConfirmationError,
    confirm_email,
    customer_for,
    email_is_confirmed,
    send_email_confirmation,
)
from .cart import (
    CartError,
    CustomerCart,
    add_to_cart,
    cart_for,
    change_quantity,
    remove_from_cart,
)
from .checkout import CheckoutError, place_order
from .forms import (
    CardPaymentForm,
    CartLineForm,
    CheckoutForm,
    ProfileForm,
    RemoveLineForm,
    SignUpForm,
)
from .models import CheckoutDetail, Order, OrderStatus, PaymentMethod
from .order_emails import confirmation_email
from .payment_flow import PaymentNotTaken, ReservationReleased, pay_order
from .reservations import awaits_payment, back_to_cart, release_reservation

ORDERS_PER_PAGE = 20


def _cart_contents(request, cart):
    contents = cart.contents()
    for name in contents.removed:
        messages.warning(request, f"{name} is no longer for sale and was removed from your cart.")
    return contents


@require_GET
def cart_page(request):
    contents = _cart_contents(request, cart_for(request))
    return render(request, "commerce/cart.html", {"cart": contents})


@require_POST
def cart_add(request):
    # On a refusal the shopper goes back to the product page they were on, with the reason.
    back = safe_next_url(request, default=reverse("commerce:cart"))
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(back)
    try:
        product, _quantity = add_to_cart(
            cart_for(request), form.cleaned_data["product"], form.cleaned_data["quantity"]
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request, f"Added {form.cleaned_data['quantity']} × {product.title} to your cart."
    )
    return redirect("commerce:cart")


@require_POST
def cart_update(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("commerce:cart")
    try:
        product = change_quantity(
            cart_for(request), form.cleaned_data["product"], form.cleaned_data["quantity"]
        )
    except CartError as error:
        messages.error(request, str(error))
    else:
        quantity = form.cleaned_data["quantity"]
        messages.success(request, f"You now have {quantity} × {product.title}.")
    return redirect("commerce:cart")


@require_POST
def cart_remove(request):
    form = RemoveLineForm(request.POST)
    if form.is_valid():
        remove_from_cart(cart_for(request), form.cleaned_data["product"])
        messages.success(request, "The product was removed from your cart.")
    return redirect("commerce:cart")


def _checkout_initial(customer, cart):
    last = CheckoutDetail.objects.filter(customer=customer).order_by("-created_at").first()
    initial = {
        "phone": customer.phone,
        "payment_method": PaymentMethod.CARD,
        "checkout_token": uuid.uuid4(),
        "expected_total": cart.totals.total,
    }
    if last is not None:
        initial.update(
            address=last.address, city=last.city, state=last.state, zip_code=last.zip_code,
            phone=last.phone, payment_method=last.payment_method,
        )
    return initial


@login_required
@sensitive_post_parameters("card_number", "card_expiry", "card_cvc")
@require_http_methods(["GET", "POST"])
def checkout(request):
    customer = customer_for(request.user, create=True)
    if request.method == "GET":
        contents = _cart_contents(request, CustomerCart(customer))
        if contents.is_empty:
            messages.info(request, "Your cart is empty: add something before checking out.")
            return redirect("commerce:cart")
        form = CheckoutForm(initial=_checkout_initial(customer, contents))
    else:
        form = CheckoutForm(request.POST)
        if form.is_valid():
            try:
                order = place_order(
                    customer,
                    form.delivery,
                    form.cleaned_data["payment_method"],
                    form.cleaned_data["checkout_token"],
                    card=form.cleaned_data.get("card"),
                    expected_total=form.cleaned_data["expected_total"],
                )
            except PaymentNotTaken as declined:
                # The order is placed and its stock held: the shopper pays it on its own page.
                messages.error(request, declined.message)
                return redirect("commerce:order_payment", number=declined.order.number)
            except CheckoutError as error:
                form.add_error(error.field, error.message)
            else:
                return redirect(_after_checkout(order))
        contents = _cart_contents(request, CustomerCart(customer))
        form.prepare_retry(contents.totals.total, uuid.uuid4())
    return render(request, "commerce/checkout.html", {"form": form, "cart": contents})


def _after_checkout(order):
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return reverse("commerce:order_payment", args=[order.number])
    return reverse("commerce:order_confirmation", args=[order.number])


@login_required
@sensitive_post_parameters("card_number", "card_expiry", "card_cvc")
@require_http_methods(["GET", "POST"])
def order_payment(request, number):
    """The pay page of an order awaiting payment: pay it by card, or go back to the cart."""
    order, items = _customer_order(request, number)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(_after_checkout(order) if order.status == OrderStatus.PAID
                        else order.get_absolute_url())
    if not awaits_payment(order):
        release_reservation(order)
        return _reservation_released(request, ReservationReleased(order))
    form = CardPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pay_order(order, form.cleaned_data["card"])
        except PaymentNotTaken as declined:
            form.add_error(declined.field, declined.message)
        except ReservationReleased as released:
            return _reservation_released(request, released)
        else:
            return redirect("commerce:order_confirmation", number=order.number)
    return render(
        request, "commerce/order_payment.html", {"order": order, "items": items, "form": form}
    )


def _reservation_released(request, released):
    messages.error(request, released.message)
    return redirect("commerce:cart")


@login_required
@require_POST
def order_back_to_cart(request, number):
    """Give up paying an order awaiting payment: it is cancelled, its lines back in the cart."""
    order, _items = _customer_order(request, number)
    notes = back_to_cart(order)
    if notes is None:
        messages.info(request, f"Order {order.number} no longer awaits payment.")
        return redirect(order.get_absolute_url())
    messages.success(
        request, f"Order {order.number} was cancelled and its products are back in your cart."
    )
    for note in notes:
        messages.warning(request, note)
    return redirect("commerce:cart")


def _customer_order(request, number):
    """The placed order `number` if it belongs to the signed-in customer; 404 otherwise."""
    orders = Order.objects.not_carts().select_related("checkout_detail")
    order = get_object_or_404(orders, number=number, customer__user=request.user)
    return order, list(order.items.all())


@login_required
def order_confirmation(request, number):
    order, items = _customer_order(request, number)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return redirect("commerce:order_payment", number=order.number)
    return render(
        request,
        "commerce/order_confirmation.html",
        {"order": order, "items": items, "confirmation": confirmation_email(order)},
    )


@login_required
def order_detail(request, number):
    order, items = _customer_order(request, number)
    return render(request, "commerce/order_detail.html", {"order": order, "items": items})


@login_required
def order_list(request):
    orders = Order.objects.not_carts().filter(customer__user=request.user)
    page = Paginator(orders.order_by("-date_ordered"), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "commerce/order_list.html", {"page_obj": page, "orders": page})


class SafeNextMixin:
    """For Django's log-in and log-out views: back to `next` only when it is safe."""

    def get_redirect_url(self):
        return safe_next_url(self.request, default="")


class LoginView(SafeNextMixin, auth_views.LoginView):
    pass


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = safe_next_url(request, default=settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignUpForm(request.POST or None)
    user = form.save() if request.method == "POST" and form.is_valid() else None
    if user is not None:
        # Logging in fires user_logged_in, which merges the session cart into the new account.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.customer.name}! Your account is ready.")
        _send_email_confirmation(request, user.customer, user.customer.email)
        return redirect(next_url)
    return render(request, "commerce/signup.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    customer = customer_for(request.user, create=True)
    form = ProfileForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details were saved.")
        if form.new_email:
            _send_email_confirmation(request, customer, form.new_email, change=True)
        return redirect("commerce:profile")
    return render(request, "commerce/profile.html", {"form": form})


def _send_email_confirmation(request, customer, email, change=False):
    status = send_email_confirmation(customer, email).status
    if status == EmailStatus.FAILED:
        messages.error(
            request, f"We could not send the confirmation email to {email}. Please try again later."
        )
        return
    if status == EmailStatus.SENT:
        opening = f"We sent a link to {email}"
    else:
        opening = f"We will email a link to {email} in the next few minutes"
    if change:
        messages.info(request, f"{opening}: your email address changes when you open it.")
    else:
        messages.info(request, f"{opening} to confirm your email address.")


@login_required
@require_POST
def send_confirmation_link(request):
    customer = customer_for(request.user, create=True)
    if email_is_confirmed(customer):
        messages.info(request, f"{customer.email} is already confirmed.")
    else:
        _send_email_confirmation(request, customer, customer.email)
    return redirect("commerce:profile")


@require_GET
def confirm_email_page(request, token):
    try:
        customer = confirm_email(token)
    except EmailConfirmationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Thank you: {customer.email} is confirmed.")
    return redirect("commerce:profile" if request.user.is_authenticated else "/")
