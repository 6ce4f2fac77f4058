"""Account pages: sign-up, log-in and log-out, the profile and email confirmation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.customers.accounts import (
    EmailConfirmationError,
    confirm_email,
    customer_for,
    email_is_confirmed,
    send_email_confirmation,
)
from commerce.customers.addresses import Address, add_address, delete_address, make_default
from commerce.customers.forms import AddressForm, ProfileForm, SignUpForm
from home.shared.models import EmailStatus
from home.shared.next_url import safe_next_url


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
    # A guest offered an account after ordering arrives with their name and email filled in.
    form = SignUpForm(
        request.POST or None,
        initial={name: request.GET.get(name, "") for name in ("name", "email")},
    )
    user = form.save() if request.method == "POST" and form.is_valid() else None
    if user is not None:
        # Logging in fires user_logged_in, which merges the session cart into the new account.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.customer.name}! Your account is ready.")
        _send_email_confirmation(request, user.customer, user.customer.email)
        return redirect(next_url)
    return render(request, "commerce/customers/signup.html", {"form": form, "next": next_url})


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
    return render(
        request, "commerce/customers/profile.html",
        {"form": form, "addresses": list(customer.addresses.all())},
    )


def _own_address(request, pk):
    """The signed-in customer's address `pk`; anyone else's is a 404."""
    customer = customer_for(request.user, create=True)
    return get_object_or_404(Address.objects.select_related("customer"), pk=pk, customer=customer)


@login_required
@require_http_methods(["GET", "POST"])
def address_add(request):
    customer = customer_for(request.user, create=True)
    form = AddressForm(request.POST or None, initial={"recipient_name": customer.name,
                                                      "phone": customer.phone})
    if request.method == "POST" and form.is_valid():
        add_address(customer, **form.cleaned_data)
        messages.success(request, "The address was added to your address book.")
        return redirect("commerce:profile")
    return render(request, "commerce/customers/addresses/address_form.html",
                  {"form": form, "title": "Add an address"})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    address = _own_address(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The address was saved.")
        return redirect("commerce:profile")
    return render(request, "commerce/customers/addresses/address_form.html",
                  {"form": form, "title": "Change an address"})


@login_required
@require_POST
def address_delete(request, pk):
    delete_address(_own_address(request, pk))
    messages.success(request, "The address was deleted from your address book.")
    return redirect("commerce:profile")


@login_required
@require_POST
def address_make_default(request, pk):
    make_default(_own_address(request, pk))
    messages.success(request, "That address is now your default.")
    return redirect("commerce:profile")


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
