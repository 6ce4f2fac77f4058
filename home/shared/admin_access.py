"""Who may open the admin views of a shop model: `ShopSnippetViewSet`, the base of every
snippet viewset in the shop.

Wagtail's snippet listing and inspect views ask for one of the model's permissions, but the
chooser views (`/admin/snippets/choose/<app>/<model>/`, its `results/`, `chosen/<pk>/` and
`chosen-multiple/`) only ask for access to the admin: any staff member could list and search
customers, orders, reviews or inquiries there. Here every view that shows records asks for the
same permissions as the listing, and a record's history is readable by whoever may view it.

A chooser also offers only the records its viewset's listing shows (`get_queryset`): the order
chooser lists orders, never shoppers' carts.

The same goes for the snippets' bulk delete: its confirmation page (`/admin/bulk/<app>/<model>/
delete/?id=all`) names every record asked for, those the user may not delete included.

Most shop records are written by the shop itself (checkout, sign-up, the review and contact
forms): `AdminWritesRefusedPolicy` lets staff view, inspect and export them and refuses the
admin's writes to everyone, and `may_view_records` is the one rule for "may this staff member
see these records" outside the listing (dashboard panels, links, downloads).

This module is the shop's shared admin infrastructure: it imports no shop app.
"""

from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import HistoryView, IndexView, SnippetViewSet

# What lets a staff member see a model's records: Wagtail's own rule for the listing.
SEE_RECORDS = IndexView.any_permission_required

# The admin's writes. Records the shop writes itself refuse them all, unless staff genuinely
# edit part of a record (a customer's contact details, an inquiry's notes and status).
ADMIN_WRITES = frozenset({"add", "change", "delete"})


class AdminWritesRefusedPolicy(ModelPermissionPolicy):
    """Django model permissions, except that `refused_actions` are refused to everyone,
    superusers included: the shop's own code makes those writes, not an admin form."""

    def __init__(self, model, refused_actions=ADMIN_WRITES):
        super().__init__(model)
        self.refused_actions = frozenset(refused_actions)

    def user_has_permission(self, user, action):
        return action not in self.refused_actions and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.refused_actions]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)

    def never_granted_codenames(self):
        """The permission codenames this policy ignores (e.g. "add_order")."""
        return [
            get_permission_codename(action, self.model._meta) for action in self.refused_actions
        ]


def may_view_records(user, model):
    """Whether `user` may see `model`'s records: whoever may view or change them.

    The model's registered policy is looked up when asked: apps register their own in hooks.
    """
    policy = policy_registry.get_by_type(model)
    return policy.user_has_any_permission(user, {"view", "change"})


class ListedRecordsOnly(PermissionCheckedMixin):
    any_permission_required = SEE_RECORDS
    # The snippet viewset's get_queryset(request), or None for all of the model's records.
    listed_records = None

    def records(self):
        if self.listed_records is not None:
            records = self.listed_records(self.request)
            if records is not None:
                return records
        return self.model_class.objects.all()

    def get_object_list(self):
        return self.records()

    def get_object(self, pk):
        return self.records().get(pk=pk)

    def get_objects(self, pks):
        return self.records().filter(pk__in=pks)


class ChooseView(ListedRecordsOnly, chooser.ChooseView):
    pass


class ChooseResultsView(ListedRecordsOnly, chooser.ChooseResultsView):
    pass


class ChosenView(ListedRecordsOnly, chooser.SnippetChosenView):
    pass


class ChosenMultipleView(ListedRecordsOnly, chooser.SnippetChosenMultipleView):
    pass


class ShopChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    listed_records = None

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(listed_records=self.listed_records, **kwargs)


class ShopHistoryView(HistoryView):
    # Reading what happened to a record is viewing it; Wagtail asks for add, change or delete.
    any_permission_required = SEE_RECORDS


class ShopSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose every view asks for the model's permissions, choosers included."""

    chooser_viewset_class = ShopChooserViewSet
    history_view_class = ShopHistoryView

    @property
    def chooser_viewset(self):
        viewset = super().chooser_viewset
        viewset.listed_records = self.get_queryset
        return viewset

    def get_permissions_to_register(self):
        # The group editor offers only the permissions that mean something for the model.
        permissions = super().get_permissions_to_register()
        policy = policy_registry.get_by_type(self.model)
        if isinstance(policy, AdminWritesRefusedPolicy):
            permissions = permissions.exclude(codename__in=policy.never_granted_codenames())
        return permissions


class SnippetDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete of snippets, refused to staff who may not see the records."""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_any_permission(request.user, SEE_RECORDS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
