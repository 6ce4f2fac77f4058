"""Who may open the admin views of a shop model: `ShopSnippetViewSet`, the base of every
snippet viewset in the shop.

Wagtail's snippet listing and inspect views ask for one of the model's permissions, but the
chooser views (`/admin/snippets/choose/<app>/<model>/`, its `results/`, `chosen/<pk>/` and
`chosen-multiple/`) only ask for access to the admin: any staff member could list and search
customers, orders, reviews or inquiries there. Here every view that shows records asks for the
same permissions as the listing, and a record's history is readable by whoever may view it.

The same goes for the snippets' bulk delete: its confirmation page (`/admin/bulk/<app>/<model>/
delete/?id=all`) names every record asked for, those the user may not delete included.
"""

from django.core.exceptions import PermissionDenied
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import HistoryView, IndexView, SnippetViewSet

# What lets a staff member see a model's records: Wagtail's own rule for the listing.
SEE_RECORDS = IndexView.any_permission_required


class ChooseView(PermissionCheckedMixin, chooser.ChooseView):
    any_permission_required = SEE_RECORDS


class ChooseResultsView(PermissionCheckedMixin, chooser.ChooseResultsView):
    any_permission_required = SEE_RECORDS


class ChosenView(PermissionCheckedMixin, chooser.SnippetChosenView):
    any_permission_required = SEE_RECORDS


class ChosenMultipleView(PermissionCheckedMixin, chooser.SnippetChosenMultipleView):
    any_permission_required = SEE_RECORDS


class ShopChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView


class ShopHistoryView(HistoryView):
    # Reading what happened to a record is viewing it; Wagtail asks for add, change or delete.
    any_permission_required = SEE_RECORDS


class ShopSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose every view asks for the model's permissions, choosers included."""

    chooser_viewset_class = ShopChooserViewSet
    history_view_class = ShopHistoryView


class SnippetDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete of snippets, refused to staff who may not see the records."""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_any_permission(request.user, SEE_RECORDS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
