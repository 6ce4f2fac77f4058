"""The shopper's side of back-in-stock alerts: the product page's "Email me when it's back"."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from home.shared.client_address import client_address

from .back_in_stock import AlertRefused, AlertThrottled, ask_for_alert
from .forms import BackInStockForm
from .models import ProductPage


@require_POST
def ask_back_in_stock(request, product_id):
    product = get_object_or_404(ProductPage.objects.visible(), pk=product_id)
    if product.stock_state.can_buy:
        messages.info(request, f"{product.title} is in stock: you can order it now.")
        return redirect(product.get_url(request))
    form = BackInStockForm(request.POST)
    status = 200
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            ask_for_alert(product, email, client_address(request))
        except AlertRefused as refusal:
            form.add_error(None, str(refusal))
            status = 429 if isinstance(refusal, AlertThrottled) else 200
        else:
            messages.success(
                request, f"Thank you: we will email {email} once when {product.title} is back."
            )
            return redirect(product.get_url(request))
    context = product.get_context(request)
    context["back_in_stock_form"] = form
    return TemplateResponse(request, product.get_template(request), context, status=status)
