from django.urls import path

from commerce.reviews import views as review_views

app_name = "reviews"

urlpatterns = [
    path("<int:product_id>/", review_views.write_review, name="write"),
]
