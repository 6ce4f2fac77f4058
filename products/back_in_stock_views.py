"""The shopper's side of back-in-stock alerts: the product page's "Email me when it's back"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from home.shared.client_address import client_address

from .back_in_stock import AlertRefused, AlertThrottled, ask_for_alert
from .forms import BackInStockForm
from .models import ProductPage
from .variants import ProductVariant, can_be_bought


def chosen_variant(product, variant_id):
    """The active variant of `product` a form names, or None (none named, or not one of its)."""
    if not (variant_id or "").isdigit() or len(variant_id) > 10:
        return None
    variant = ProductVariant.objects.filter(
        product=product, pk=int(variant_id), active=True
    ).first()
    if variant is not None:
        variant.product = product
    return variant


@require_POST
def ask_back_in_stock(request, product_id):
    product = get_object_or_404(ProductPage.objects.visible(), pk=product_id)
    variant = chosen_variant(product, request.POST.get("variant"))
    back = product.get_url(request)
    if variant is not None:
        back = f"{back}?{urlencode({'variant': variant.sku})}"
    name = variant.display_name if variant is not None else product.title
    if can_be_bought(product, variant):
        messages.info(request, f"{name} is in stock: you can order it now.")
        return redirect(back)
    form = BackInStockForm(request.POST)
    status = 200
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            ask_for_alert(product, email, client_address(request), variant)
        except AlertRefused as refusal:
            form.add_error(None, str(refusal))
            status = 429 if isinstance(refusal, AlertThrottled) else 200
        else:
            messages.success(
                request, f"Thank you: we will email {email} once when {name} is back."
            )
            return redirect(back)
    context = product.get_context(request)
    context["back_in_stock_form"] = form
    return TemplateResponse(request, product.get_template(request), context, status=status)
