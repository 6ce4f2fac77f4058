"""The reminder email's link: it puts the abandoned cart's lines back in a cart."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_safe

from commerce.cart.carts import cart_for, restore_to_cart, restore_to_session_cart
from commerce.customers.accounts import customer_for
from commerce.recovery.models import CartReminder
from commerce.recovery.reminders import missing_lines, reminder_from_token


@require_safe
def restore_cart(request, token):
    """A guest's lines go into the cart of whoever opens the link, on any device; a customer's
    cart belongs to their account, so they are asked to log in first. Lines already in the
    cart are not added again."""
    reminder = reminder_from_token(token)
    if reminder is None:
        messages.error(request, "This cart link has expired or is not valid.")
        return redirect("commerce:cart")
    if reminder.customer_id is not None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if customer_for(request.user, create=True).pk != reminder.customer_id:
            messages.error(request, "This cart link is for another account.")
            return redirect("commerce:cart")
    cart = cart_for(request)
    missing = missing_lines(reminder, cart.quantities())
    if request.user.is_authenticated:
        notes = restore_to_cart(cart.customer, missing) if missing else []
    else:
        notes = restore_to_session_cart(request.session, missing) if missing else []
    CartReminder.objects.filter(pk=reminder.pk, restored_at__isnull=True).update(
        restored_at=timezone.now()
    )
    messages.success(request, "Your cart is back: here it is.")
    for note in notes:
        messages.warning(request, note)
    return redirect("commerce:cart")
