"""The checkout page, the pay page of an order awaiting payment, and the thank-you page.
Thin: the rules live in place_order.py, payment_flow.py and reservations.py."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from commerce.cart.carts import CustomerCart
from commerce.cart.views import cart_contents
from commerce.checkout.forms import CardPaymentForm, CheckoutForm
from commerce.checkout.models import CheckoutDetail
from commerce.checkout.payment_flow import PaymentNotTaken, ReservationReleased, pay_order
from commerce.checkout.place_order import DELIVERY_FIELDS, CheckoutError, place_order
from commerce.checkout.reservations import awaits_payment, back_to_cart, release_reservation
from commerce.checkout.saved_addresses import saved_address_initial
from commerce.checkout.stripe_payment import payment_page_gateway
from commerce.checkout.stripe_views import order_payment_return, stripe_payment_page
from commerce.customers.accounts import customer_for
from commerce.orders.emails import confirmation_email
from commerce.orders.models import OrderStatus
from commerce.orders.views import customer_order
from commerce.payments.models import PaymentMethod


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
            {name: getattr(last, name) for name in DELIVERY_FIELDS},
            payment_method=last.payment_method,
        )
    # The default saved address comes first; the last order's delivery is the fallback.
    initial.update(saved_address_initial(customer) or {})
    return initial


def _book(customer):
    return list(customer.addresses.all())


@login_required
@sensitive_post_parameters("card_number", "card_expiry", "card_cvc")
@require_http_methods(["GET", "POST"])
def checkout(request):
    customer = customer_for(request.user, create=True)
    if request.method == "GET":
        contents = cart_contents(request, CustomerCart(customer))
        if contents.is_empty:
            messages.info(request, "Your cart is empty: add something before checking out.")
            return redirect("commerce:cart")
        form = CheckoutForm(
            initial=_checkout_initial(customer, contents), saved_addresses=_book(customer)
        )
    else:
        form = CheckoutForm(request.POST, saved_addresses=_book(customer))
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
                form.remember_new_address(customer)
                messages.error(request, declined.message)
                return redirect("commerce:order_payment", number=declined.order.number)
            except CheckoutError as error:
                form.add_error(error.field, error.message)
            else:
                form.remember_new_address(customer)
                return redirect(_after_checkout(order))
        contents = cart_contents(request, CustomerCart(customer))
        form.prepare_retry(contents.totals.total, uuid.uuid4())
    return render(request, "commerce/checkout/checkout.html", {"form": form, "cart": contents})


def _after_checkout(order):
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return reverse("commerce:order_payment", args=[order.number])
    return reverse("commerce:order_confirmation", args=[order.number])


@login_required
@sensitive_post_parameters("card_number", "card_expiry", "card_cvc")
@require_http_methods(["GET", "POST"])
def order_payment(request, number):
    """The pay page of an order awaiting payment: pay it by card, or go back to the cart."""
    order, items = customer_order(request, number)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect(_after_checkout(order) if order.status == OrderStatus.PAID
                        else order.get_absolute_url())
    if not awaits_payment(order):
        release_reservation(order)
        return _reservation_released(request, ReservationReleased(order))
    gateway = payment_page_gateway(order)
    if gateway is not None:
        # Stripe: its own card field confirms the payment in the browser; nothing is posted.
        return stripe_payment_page(request, order, items, gateway)
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
        request, "commerce/checkout/order_payment.html",
        {"order": order, "items": items, "form": form},
    )


def _reservation_released(request, released):
    messages.error(request, released.message)
    return redirect("commerce:cart")


@login_required
def order_payment_landing(request, number):
    """The shopper back from paying on the provider's side (Stripe.js, 3-D Secure)."""
    order, _items = customer_order(request, number)
    return order_payment_return(request, order)


@login_required
@require_POST
def order_back_to_cart(request, number):
    """Give up paying an order awaiting payment: it is cancelled, its lines back in the cart."""
    order, _items = customer_order(request, number)
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


@login_required
def order_confirmation(request, number):
    order, items = customer_order(request, number)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return redirect("commerce:order_payment", number=order.number)
    return render(
        request,
        "commerce/checkout/order_confirmation.html",
        {"order": order, "items": items, "confirmation": confirmation_email(order)},
    )
