"""The cart page and the POST-only views that change it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from commerce.cart.carts import (
    CartError,
    add_to_cart,
    apply_voucher,
    cart_for,
    change_quantity,
    remove_from_cart,
    remove_voucher,
)
from commerce.cart.forms import CartLineForm, RemoveLineForm, VoucherForm
from commerce.checkout.models import last_checkout
from commerce.shipping.rates import cart_estimate
from home.shared.next_url import safe_next_url


def cart_contents(request, cart):
    """What `cart` holds now, with a warning for each line that can no longer be bought."""
    contents = cart.contents()
    for line in contents.unavailable:
        messages.warning(
            request,
            f"{line.name} is no longer for sale. Remove it from your cart to check out.",
        )
    return contents


@require_GET
def cart_page(request):
    cart = cart_for(request)
    # The estimate uses the state of the shopper's last checkout; a guest sees "from $X".
    last = last_checkout(getattr(cart, "customer", None))
    contents = cart_estimate(cart_contents(request, cart), last.state if last else "")
    return render(
        request, "commerce/cart/cart.html", {"cart": contents, "voucher_form": VoucherForm()}
    )


@require_POST
def cart_add(request):
    # On a refusal the shopper goes back to the product page they were on, with the reason.
    back = safe_next_url(request, default=reverse("commerce:cart"))
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(back)
    try:
        variant, _quantity = add_to_cart(
            cart_for(request), form.cleaned_data["product"], form.cleaned_data["quantity"],
            form.cleaned_data["variant"],
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request, f"Added {form.cleaned_data['quantity']} × {variant.display_name} to your cart."
    )
    return redirect("commerce:cart")


@require_POST
def cart_update(request):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("commerce:cart")
    try:
        variant = change_quantity(
            cart_for(request), form.cleaned_data["product"], form.cleaned_data["quantity"],
            form.cleaned_data["variant"],
        )
    except CartError as error:
        messages.error(request, str(error))
    else:
        quantity = form.cleaned_data["quantity"]
        messages.success(request, f"You now have {quantity} × {variant.display_name}.")
    return redirect("commerce:cart")


@require_POST
def cart_remove(request):
    form = RemoveLineForm(request.POST)
    if form.is_valid():
        remove_from_cart(
            cart_for(request), form.cleaned_data["product"], form.cleaned_data["variant"]
        )
        messages.success(request, "The product was removed from your cart.")
    return redirect("commerce:cart")


@require_POST
def cart_voucher(request):
    form = VoucherForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("commerce:cart")
    try:
        voucher = apply_voucher(cart_for(request), form.cleaned_data["code"])
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Voucher {voucher.code} was added to your cart.")
    return redirect("commerce:cart")


@require_POST
def cart_voucher_remove(request):
    remove_voucher(cart_for(request))
    messages.success(request, "The voucher code was removed from your cart.")
    return redirect("commerce:cart")
