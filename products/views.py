"""Admin views for product pages, registered by ProductPageViewSet in wagtail_hooks.py."""

from django.db import transaction
from wagtail.admin.views.pages.copy import CopyView
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView

from .ledger import StockReason
from .models import ProductPage
from .stock import lock_products, record_initial_stock, set_stock


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
                set_stock(
                    self.page.pk,
                    form.cleaned_data["stock"],
                    reason=StockReason.STAFF_ADJUSTMENT,
                    user=self.request.user,
                )
        return response


class ProductPageCreateView(CreateView):
    """Creating a product records the stock it starts with in the stock ledger, in the same
    transaction, as a staff adjustment by the editor."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            if self.page.pk:
                record_initial_stock(
                    self.page, reason=StockReason.STAFF_ADJUSTMENT, user=self.request.user
                )
        return response


class ProductPageCopyView(CopyView):
    """Copying a product copies its stock count: the copy's opening stock goes in the ledger
    (the after_copy_page hook in wagtail_hooks.py) in the copy's transaction."""

    def form_valid(self, form):
        with transaction.atomic():
            return super().form_valid(form)


def record_copied_stock(request, page, new_page):
    """Ledger rows for the products a page copy (or alias) created, as staff adjustments."""
    for product in ProductPage.objects.descendant_of(new_page, inclusive=True):
        record_initial_stock(product, reason=StockReason.STAFF_ADJUSTMENT, user=request.user)


class ProductPageEditView(LiveStockEditMixin, EditView):
    pass


class ProductPageRevertView(LiveStockEditMixin, RevisionsRevertView):
    pass
