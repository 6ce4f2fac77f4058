from django.urls import path

from commerce.recovery.views import restore_cart
from home.shared.private_pages import never_cached

app_name = "recovery"

urlpatterns = never_cached([
    path("cart/restore/<str:token>/", restore_cart, name="restore_cart"),
])
