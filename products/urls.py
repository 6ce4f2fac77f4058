from django.urls import path

from . import back_in_stock_views

app_name = "products"

urlpatterns = [
    path(
        "back-in-stock/<int:product_id>/",
        back_in_stock_views.ask_back_in_stock,
        name="ask_back_in_stock",
    ),
]
