"""Admin views for product pages, registered by ProductPageViewSet in wagtail_hooks.py."""

from django.db import transaction
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView

from home import page_cache


class LiveStockEditMixin:
    """Saving a product in the editor writes an edited stock count to the live product at once.

    Publishing writes the whole product row, stock included, with the count ProductPageForm
    read from it. The row stays locked from that read until the save is over, so a sale made
    meanwhile waits for it instead of being overwritten.
    """

    def form_valid(self, form):
        with transaction.atomic():
            products = type(self.page).objects.filter(pk=self.page.pk)
            # Only the product table's row, as commerce.stock locks it at checkout.
            products.select_for_update(of=("self",)).values_list("pk").get()
            response = super().form_valid(form)
            if form.stock_was_edited:
                products.update(stock=form.cleaned_data["stock"])
                page_cache.invalidate_catalogue()  # update() sends no signal
        return response


class ProductPageEditView(LiveStockEditMixin, EditView):
    pass


class ProductPageRevertView(LiveStockEditMixin, RevisionsRevertView):
    pass
