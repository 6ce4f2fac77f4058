"""The checkout page and the thank-you page. Thin: the rules live in place_order.py."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from commerce.cart.carts import (
    CustomerCart,
)
from commerce.cart.views import cart_contents
from commerce.checkout.forms import CheckoutForm
from commerce.checkout.models import CheckoutDetail
from commerce.checkout.place_order import CheckoutError, place_order
from commerce.customers.accounts import (
    customer_for,
)
from commerce.orders.emails import confirmation_email
from commerce.orders.views import _customer_order
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
        contents = cart_contents(request, CustomerCart(customer))
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
            except CheckoutError as error:
                form.add_error(error.field, error.message)
            else:
                return redirect("commerce:order_confirmation", number=order.number)
        contents = cart_contents(request, CustomerCart(customer))
        form.prepare_retry(contents.totals.total, uuid.uuid4())
    return render(request, "commerce/checkout/checkout.html", {"form": form, "cart": contents})


@login_required
def order_confirmation(request, number):
    order, items = _customer_order(request, number)
    return render(
        request,
        "commerce/checkout/order_confirmation.html",
        {"order": order, "items": items, "confirmation": confirmation_email(order)},
    )
