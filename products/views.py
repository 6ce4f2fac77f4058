"""Admin views for product pages, registered by ProductPageViewSet in wagtail_hooks.py."""

from django.db import transaction
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView

from .stock import lock_products, set_stock


class LiveStockEditMixin:
    """Saving a product in the editor writes an edited stock count to the live product at once.

    Publishing writes the whole product row, stock included, with the count ProductPageForm
    read from it. The row stays locked from that read until the save is over, so a sale made
    meanwhile waits for it instead of being overwritten.
    """

    def form_valid(self, form):
        with transaction.atomic():
            lock_products([self.page.pk])
            response = super().form_valid(form)
            if form.stock_was_edited:
                set_stock(self.page.pk, form.cleaned_data["stock"])
        return response


class ProductPageEditView(LiveStockEditMixin, EditView):
    pass


class ProductPageRevertView(LiveStockEditMixin, RevisionsRevertView):
    pass
