"""The customer's side of reviews: writing a review of a product they ordered, or editing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from commerce.customers.accounts import customer_for
from commerce.reviews.forms import ReviewForm
from commerce.reviews.rules import (
    ReviewNotAllowed,
    ReviewRefused,
    ReviewThrottled,
    ensure_can_review,
    review_by,
    submit_or_update_review,
)
from products.models import ProductPage


@login_required
@require_http_methods(["GET", "POST"])
def write_review(request, product_id):
    """Show (GET) or save (POST) the signed-in customer's review of a product.

    Customers who have not ordered the product get a 403 page saying why. A refused or invalid
    post re-renders the form with the customer's text in it.
    """
    product = get_object_or_404(ProductPage.objects.live(), pk=product_id)
    customer = customer_for(request.user)
    try:
        ensure_can_review(customer, product)
    except ReviewNotAllowed as refusal:
        context = {"product": product, "message": refusal.message}
        return render(request, "commerce/reviews/not_allowed.html", context, status=403)

    review = review_by(customer, product)
    form = ReviewForm(request.POST or None, instance=review)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            review, created = submit_or_update_review(customer, product, **form.cleaned_data)
        except ReviewRefused as refusal:
            form.add_error(None, refusal.message)
            status = 429 if isinstance(refusal, ReviewThrottled) else 403
        else:
            messages.success(request, _saved_message(review, created))
            return redirect(f"{product.get_url(request)}#reviews")
    context = {"product": product, "form": form, "review": review}
    return render(request, "commerce/reviews/write_review.html", context, status=status)


def _saved_message(review, created):
    if not review.is_published:
        return "Your review is updated. It stays hidden until our staff publish it again."
    if created:
        return "Thank you, your review is published."
    return "Your review is updated."
