"""The shop's own pages. Included from config/urls.py ahead of Wagtail's page tree.

Every one of them belongs to one shopper, so none may be cached (home/private_pages.py).
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from home.private_pages import never_cached

from . import views
from .forms import ShopPasswordResetForm

app_name = "commerce"

urlpatterns = never_cached([
    path("cart/", views.cart_page, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("cart/remove/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/thank-you/<str:number>/", views.order_confirmation,
         name="order_confirmation"),
    path("checkout/pay/<str:number>/", views.order_payment, name="order_payment"),
    path("checkout/pay/<str:number>/back-to-cart/", views.order_back_to_cart,
         name="order_back_to_cart"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/confirm-email/send/", views.send_confirmation_link,
         name="send_confirmation_link"),
    path("accounts/confirm-email/<str:token>/", views.confirm_email_page,
         name="confirm_email"),
    path("accounts/orders/", views.order_list, name="order_list"),
    path("accounts/orders/<str:number>/", views.order_detail, name="order_detail"),
])

# Django's log-in, log-out, password change and reset views under /accounts/, with the shop's
# templates (templates/registration/). Not namespaced: Django's views reverse these names.
auth_urlpatterns = never_cached([
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ShopPasswordResetForm),
        name="password_reset",
    ),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", include("django.contrib.auth.urls")),
])
