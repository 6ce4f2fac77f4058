from django.urls import path

from . import review_views

app_name = "reviews"

urlpatterns = [
    path("<int:product_id>/", review_views.write_review, name="write"),
]
