"""Admin views for product pages, registered by ProductPageViewSet in wagtail_hooks.py."""

from django.db import transaction
from wagtail.admin.views.pages.copy import CopyView
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.revisions import RevisionsRevertView

from .ledger import StockReason
from .models import ProductPage
from .stock import lock_products, record_initial_stock, set_variant_stock


class LiveStockEditMixin:
    """Saving a product in the editor writes the edited stock counts of its variants to the
    live variants at once, and records the stock of variants it created.

    Publishing writes the product's variants, stock included, with the counts ProductPageForm
    read from them. The product row stays locked from that read until the save is over (every
    stock writer locks it first, products.stock), so a sale made meanwhile waits for it
    instead of being overwritten.
    """

    def form_valid(self, form):
        with transaction.atomic():
            lock_products([self.page.pk])
            before = set(self.page.live_variant_stock())
            response = super().form_valid(form)
            after = set(self.page.live_variant_stock())
            for variant_id, count in form.edited_variant_stock().items():
                if variant_id in after:
                    set_variant_stock(
                        variant_id, count,
                        reason=StockReason.STAFF_ADJUSTMENT, user=self.request.user,
                    )
            record_initial_stock(  # the variants publishing created
                self.page, reason=StockReason.STAFF_ADJUSTMENT, user=self.request.user,
                variant_ids=after - before,
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
