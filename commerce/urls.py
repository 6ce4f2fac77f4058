"""The shop's own pages. Included from config/urls.py ahead of Wagtail's page tree.

Every one of them belongs to one shopper, so none may be cached (home/shared/private_pages.py).
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from commerce.cart.views import (
    cart_add,
    cart_page,
    cart_remove,
    cart_update,
    cart_voucher,
    cart_voucher_remove,
)
from commerce.checkout.stripe_views import stripe_webhook
from commerce.checkout.views import (
    checkout,
    order_back_to_cart,
    order_confirmation,
    order_payment,
    order_payment_landing,
)
from commerce.customers.forms import ShopPasswordResetForm
from commerce.customers.views import (
    LoginView,
    LogoutView,
    address_add,
    address_delete,
    address_edit,
    address_make_default,
    confirm_email_page,
    profile,
    send_confirmation_link,
    signup,
)
from commerce.orders.views import order_detail, order_list
from home.shared.private_pages import never_cached

app_name = "commerce"

urlpatterns = never_cached([
    path("cart/", cart_page, name="cart"),
    path("cart/add/", cart_add, name="cart_add"),
    path("cart/update/", cart_update, name="cart_update"),
    path("cart/remove/", cart_remove, name="cart_remove"),
    path("cart/voucher/", cart_voucher, name="cart_voucher"),
    path("cart/voucher/remove/", cart_voucher_remove, name="cart_voucher_remove"),
    path("checkout/", checkout, name="checkout"),
    path("checkout/thank-you/<str:number>/", order_confirmation,
         name="order_confirmation"),
    path("checkout/pay/<str:number>/", order_payment, name="order_payment"),
    path("checkout/pay/<str:number>/return/", order_payment_landing,
         name="order_payment_return"),
    path("payments/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("checkout/pay/<str:number>/back-to-cart/", order_back_to_cart,
         name="order_back_to_cart"),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/profile/", profile, name="profile"),
    path("accounts/addresses/add/", address_add, name="address_add"),
    path("accounts/addresses/<int:pk>/", address_edit, name="address_edit"),
    path("accounts/addresses/<int:pk>/delete/", address_delete, name="address_delete"),
    path("accounts/addresses/<int:pk>/default/", address_make_default,
         name="address_make_default"),
    path("accounts/confirm-email/send/", send_confirmation_link,
         name="send_confirmation_link"),
    path("accounts/confirm-email/<str:token>/", confirm_email_page,
         name="confirm_email"),
    path("accounts/orders/", order_list, name="order_list"),
    path("accounts/orders/<str:number>/", order_detail, name="order_detail"),
])

# Django's log-in, log-out, password change and reset views under /accounts/, with the shop's
# templates (templates/registration/). Not namespaced: Django's views reverse these names.
auth_urlpatterns = never_cached([
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ShopPasswordResetForm),
        name="password_reset",
    ),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", include("django.contrib.auth.urls")),
])
