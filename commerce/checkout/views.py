"""The checkout page, the pay page of an order awaiting payment, and the thank-you page.
Thin: the rules live in place_order.py, payment_flow.py and reservations.py."""

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Site

from commerce.cart.carts import CustomerCart, SessionCart
from commerce.cart.views import cart_contents
from commerce.checkout.forms import CardPaymentForm, CheckoutForm
from commerce.checkout.models import guest_checkout_allowed, last_checkout
from commerce.checkout.payment_flow import PaymentNotTaken, ReservationReleased, pay_order
from commerce.checkout.place_order import DELIVERY_FIELDS, CheckoutError, Guest, place_order
from commerce.checkout.reservations import awaits_payment, back_to_cart, release_reservation
from commerce.checkout.saved_addresses import entered_state, saved_address_initial
from commerce.checkout.stripe_payment import payment_page_gateway
from commerce.checkout.stripe_views import order_payment_return, stripe_payment_page
from commerce.customers.accounts import customer_for
from commerce.orders.emails import confirmation_email
from commerce.orders.guest_orders import guest_order_links, remember_guest_order
from commerce.orders.models import OrderStatus
from commerce.orders.views import customer_order, shopper_order_view
from commerce.payments.models import PaymentMethod
from commerce.recovery.reminders import remember_checkout_email
from commerce.shipping.rates import cheapest, checkout_totals, shipping_options


def _checkout_initial(customer):
    initial = {
        "payment_method": PaymentMethod.CARD,
        "checkout_token": uuid.uuid4(),
    }
    if customer is None:
        return initial
    initial["phone"] = customer.phone
    last = last_checkout(customer)
    if last is not None:
        initial.update(
            {name: getattr(last, name) for name in DELIVERY_FIELDS},
            payment_method=last.payment_method,
        )
    # The default saved address comes first; the last order's delivery is the fallback.
    initial.update(saved_address_initial(customer) or {})
    return initial


def _entries(post):
    """What the shopper typed, to show again after "Update totals" (never the card)."""
    entries = {name: value for name, value in post.items() if name not in CheckoutForm.card_fields}
    return {"checkout_token": uuid.uuid4(), **entries}


def _shown_form(contents, initial, guest, saved_addresses):
    """An unbound checkout form showing `initial`, its shipping methods for the state entered
    (the cheapest preselected if the one entered cannot ship there) and the total due."""
    state = entered_state(saved_addresses, initial)
    options = shipping_options(state, contents.lines, contents.rule, contents.voucher)
    method = _entered_method(initial.get("shipping_method"))
    if all(option.method != method for option in options):
        best = cheapest(options)
        method = best.method if best else None
    priced = checkout_totals(contents, state, method)
    initial = {**initial, "shipping_method": method.pk if method else None,
               "expected_total": priced.totals.total}
    form = CheckoutForm(
        initial=initial, shipping_options=options, guest=guest, saved_addresses=saved_addresses
    )
    return form, priced


def _entered_method(value):
    try:
        return CheckoutForm.base_fields["shipping_method"].clean(value)
    except ValidationError:
        return None


def _book(customer):
    """The customer's saved addresses, offered at checkout (none for a guest)."""
    return [] if customer is None else list(customer.addresses.all())


@sensitive_post_parameters("card_number", "card_expiry", "card_cvc")
@require_http_methods(["GET", "POST"])
def checkout(request):
    """The checkout page: a signed-in customer's cart, or a guest's session cart when guest
    checkout is on (CheckoutSettings); otherwise a visitor is asked to log in."""
    if request.user.is_authenticated:
        customer = customer_for(request.user, create=True)
        cart = CustomerCart(customer)
    elif guest_checkout_allowed(Site.find_for_request(request)):
        customer = None
        cart = SessionCart(request.session)
    else:
        return redirect_to_login(request.get_full_path())
    guest = customer is None
    if guest and request.method == "POST":
        # Kept on the cart, so a guest who leaves now can be reminded of it.
        remember_checkout_email(request.session, request.POST.get("email"))
    if request.method == "GET" or "update_totals" in request.POST:
        # "Update totals" shows the totals for the state and method entered; it places nothing.
        contents = cart_contents(request, cart)
        if contents.is_empty:
            messages.info(request, "Your cart is empty: add something before checking out.")
            return redirect("commerce:cart")
        entries = _checkout_initial(customer) if request.method == "GET" else _entries(
            request.POST
        )
        form, priced = _shown_form(contents, entries, guest, _book(customer))
    else:
        contents = cart.contents()
        book = _book(customer)
        form = CheckoutForm(
            request.POST,
            guest=guest,
            saved_addresses=book,
            shipping_options=shipping_options(
                entered_state(book, request.POST), contents.lines, contents.rule,
                contents.voucher,
            ),
        )
        if form.is_valid():
            shopper = customer or Guest(
                request.session, email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
            )
            try:
                order = place_order(
                    shopper,
                    form.delivery,
                    form.cleaned_data["payment_method"],
                    form.cleaned_data["checkout_token"],
                    card=form.cleaned_data.get("card"),
                    expected_total=form.cleaned_data["expected_total"],
                )
            except PaymentNotTaken as declined:
                # The order is placed and its stock held: the shopper pays it on its own page.
                _after_placing(request, form, customer, declined.order)
                messages.error(request, declined.message)
                return redirect("commerce:order_payment", number=declined.order.number)
            except CheckoutError as error:
                form.add_error(error.field, error.message)
            else:
                _after_placing(request, form, customer, order)
                return redirect(_after_checkout(order))
        contents = cart_contents(request, cart)
        priced = checkout_totals(
            contents, form.entered_state(form.data),
            _entered_method(form["shipping_method"].value()),
        )
        form.prepare_retry(priced.totals.total, uuid.uuid4())
    return render(request, "commerce/checkout/checkout.html", {"form": form, "cart": priced})


def _after_placing(request, form, customer, order):
    """A guest's browser remembers the order; a customer's new address joins their book."""
    if customer is None:
        remember_guest_order(request.session, order)
    else:
        form.remember_new_address(customer)


def _after_checkout(order):
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return reverse("commerce:order_payment", args=[order.number])
    return reverse("commerce:order_confirmation", args=[order.number])


@shopper_order_view
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


@shopper_order_view
def order_payment_landing(request, number):
    """The shopper back from paying on the provider's side (Stripe.js, 3-D Secure)."""
    order, _items = customer_order(request, number)
    return order_payment_return(request, order)


@shopper_order_view
@require_POST
def order_back_to_cart(request, number):
    """Give up paying an order awaiting payment: it is cancelled, its lines back in the cart."""
    order, _items = customer_order(request, number)
    notes = back_to_cart(order, request.session)
    if notes is None:
        messages.info(request, f"Order {order.number} no longer awaits payment.")
        return redirect(order.get_absolute_url())
    messages.success(
        request, f"Order {order.number} was cancelled and its products are back in your cart."
    )
    for note in notes:
        messages.warning(request, note)
    return redirect("commerce:cart")


@shopper_order_view
def order_confirmation(request, number):
    order, items = customer_order(request, number)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        return redirect("commerce:order_payment", number=order.number)
    return render(
        request,
        "commerce/checkout/order_confirmation.html",
        {
            "order": order, "items": items, "confirmation": confirmation_email(order),
            # A guest has no account to find the order in: the signed link is their way back.
            "order_links": guest_order_links(order),
        },
    )
