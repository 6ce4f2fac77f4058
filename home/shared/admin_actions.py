"""`ConfirmedActionView`: the one shape of a staff action on one record in the admin.

GET shows a page asking the staff member to confirm (with the form's fields, if the action
needs any, such as a reason). POST, CSRF-protected like every admin form, calls the domain
function that does the work (`perform`), shows its message and redirects to the safe `next`
the request brought, or to where the action belongs. A refusal from the domain function (one
of `refusals`) becomes an error message, never a 500.

Order status changes, shipping, review moderation and inquiry actions are its subclasses.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from home.shared.next_url import safe_next_url


class ConfirmedActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Subclasses name the record (`model` or `get_object`), the permission
    (`permission_required`, an action of the model's policy, or `user_may_act`), the work
    (`perform`, returning the success message) and where to go afterwards (`get_default_url`).
    """

    model = None
    form_class = forms.Form
    # The domain's exceptions whose message tells the staff member why nothing happened.
    refusals = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.user_may_act():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def user_may_act(self):
        """A check beyond `permission_required` (which PermissionCheckedMixin makes against
        the model's policy), for permissions that are not a policy action."""
        return True

    def get_object(self):
        return get_object_or_404(self.model, pk=self.kwargs["pk"])

    def check_allowed(self):
        """Raise one of `refusals` if the action cannot be made now (asked before confirming)."""

    def perform(self, form):
        """Do the action by calling the domain function; return the message for staff."""
        raise NotImplementedError

    def after_success(self):
        """Further messages once the action succeeded (e.g. what a cancellation refunded)."""

    def get_default_url(self):
        raise NotImplementedError

    def get_success_url(self):
        return safe_next_url(self.request, default=self.get_default_url())

    def get_page_subtitle(self):
        return str(self.object)

    def get_parent_breadcrumbs(self):
        """The admin pages above this one, as {"url", "label"} items after Home."""
        return []

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            *self.get_parent_breadcrumbs(),
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object, cancel_url=self.get_success_url(), **kwargs
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.check_allowed()
        except self.refusals as refusal:
            return self.refused(refusal)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except self.refusals as refusal:
            return self.refused(refusal)
        messages.success(self.request, message)
        self.after_success()
        return redirect(self.get_success_url())

    def refused(self, refusal):
        messages.error(self.request, str(refusal))
        return redirect(self.get_success_url())
