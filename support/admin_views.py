"""The support desk in the Wagtail admin: the inquiries listing, editing and staff actions."""

from datetime import datetime

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, UserColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.snippets.views.snippets import EditView, IndexView

from home.shared.admin_access import ShopSnippetViewSet
from home.shared.admin_actions import ConfirmedActionView
from home.shared.spreadsheets import FormulaSafeExportMixin

from .inquiries import (
    InquiryActionError,
    assign_inquiry,
    change_status,
    new_inquiry_count,
    status_changes_for,
    support_staff,
)
from .models import Contact, InquiryStatus


class SupportStaffField(django_filters.fields.ModelChoiceField):
    """A choice of support staff, shown by name (django-filter's field, which can also offer
    an "Unassigned" choice)."""

    def label_from_instance(self, obj):
        return get_user_display_name(obj)


class AssigneeFilter(django_filters.ModelChoiceFilter):
    field_class = SupportStaffField


class InquiryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=InquiryStatus.choices, empty_label="All", widget=forms.RadioSelect
    )
    assignee = AssigneeFilter(
        queryset=lambda request: support_staff(),
        null_label="Unassigned",
        empty_label="Anyone",
    )

    class Meta:
        model = Contact
        fields = ["status", "assignee"]


class AssignForm(forms.Form):
    assignee = SupportStaffField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Nobody",
        label="Assign to",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = support_staff()


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=InquiryStatus.choices)


def export_user(user):
    return get_user_display_name(user) if user else ""


def export_datetime(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class InquiryIndexView(FormulaSafeExportMixin, IndexView):
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime: {
            **IndexView.custom_value_preprocess[datetime],
            IndexView.FORMAT_CSV: export_datetime,
        },
    }
    custom_field_preprocess = {
        "assignee": {IndexView.FORMAT_CSV: export_user, IndexView.FORMAT_XLSX: export_user},
    }

    @cached_property
    def columns(self):
        checkbox, *_ = super().columns
        return [
            checkbox,
            DateColumn("created_at", label="Received", sort_key="created_at"),
            Column("name", label="Name", sort_key="name"),
            self._get_title_column("subject"),
            StatusTagColumn(
                "status", label="Status", accessor="get_status_display", sort_key="status",
                primary=lambda inquiry: inquiry.status == InquiryStatus.NEW,
            ),
            UserColumn("assignee", label="Assignee"),
        ]


class InquiryEditView(EditView):
    """The edit page (notes) with the staff actions above the form."""

    assign_url_name = None
    status_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pk = quote(self.object.pk)
        context.update(
            assign_url=reverse(self.assign_url_name, args=[pk]),
            assign_form=AssignForm(initial={"assignee": self.object.assignee_id}),
            status_url=reverse(self.status_url_name, args=[pk]),
            status_changes=status_changes_for(self.object),
        )
        return context


class InquiryActionView(ConfirmedActionView):
    """A staff action on one inquiry, made from the buttons on its edit page (so POST only,
    with no page of its own); reports back on that page."""

    model = Contact
    permission_required = "change"
    http_method_names = ["post"]
    refusals = (InquiryActionError,)
    edit_url_name = None

    def get_object(self):
        return get_object_or_404(Contact, pk=unquote(str(self.kwargs["pk"])))

    def get_default_url(self):
        return reverse(self.edit_url_name, args=[quote(self.object.pk)])

    def form_invalid(self, form):
        messages.error(self.request, "That choice is not available; nothing was changed.")
        return redirect(self.get_success_url())


class AssignInquiryView(InquiryActionView):
    form_class = AssignForm

    def perform(self, form):
        inquiry, assignee = self.object, form.cleaned_data["assignee"]
        assign_inquiry(inquiry, assignee, by=self.request.user)
        if assignee is None:
            return f"Inquiry {inquiry} is no longer assigned."
        if assignee.pk == self.request.user.pk:
            return f"Inquiry {inquiry} is assigned to you."
        return f"Inquiry {inquiry} is assigned to {get_user_display_name(assignee)}."


class ChangeStatusView(InquiryActionView):
    form_class = StatusForm

    def perform(self, form):
        inquiry = self.object
        change_status(inquiry, form.cleaned_data["status"], by=self.request.user)
        return f"Inquiry {inquiry} is now {inquiry.get_status_display().lower()}."


class InquiryViewSet(ShopSnippetViewSet):
    model = Contact
    icon = "mail"
    menu_label = "Inquiries"
    menu_name = "inquiries"
    menu_order = 250
    add_to_admin_menu = True
    admin_url_namespace = "support_inquiries"
    base_url_path = "support/inquiries"

    index_view_class = InquiryIndexView
    edit_view_class = InquiryEditView
    edit_template_name = "support/admin/inquiry_edit.html"
    copy_view_enabled = False
    inspect_view_enabled = True

    filterset_class = InquiryFilterSet
    search_fields = ["name", "email", "description", "order_reference", "notes"]
    search_backend_name = None
    ordering = ["-created_at", "-pk"]
    list_per_page = 30
    list_export = [
        "pk", "created_at", "name", "email", "phone", "order_reference", "subject",
        "description", "get_status_display", "assignee", "notes", "resolved_at",
    ]
    export_headings = {
        "pk": "Reference",
        "created_at": "Received",
        "subject": "Subject",
        "get_status_display": "Status",
        "assignee": "Assignee",
        "resolved_at": "Resolved",
    }
    export_filename = "inquiries"

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("created_at", read_only=True),
                FieldPanel("name", read_only=True),
                FieldPanel("email", read_only=True),
                FieldPanel("phone", read_only=True),
                FieldPanel("order_reference", read_only=True),
                FieldPanel("customer", read_only=True),
                FieldPanel("description", read_only=True),
            ],
            heading="From the sender",
        ),
        MultiFieldPanel(
            [
                FieldPanel("resolved_at", read_only=True),
                FieldPanel("notes"),
            ],
            heading="Support",
        ),
    ]

    def get_queryset(self, request):
        return Contact.objects.select_related("assignee__wagtail_userprofile")

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            assign_url_name=self.get_url_name("assign"),
            status_url_name=self.get_url_name("status"),
            **kwargs,
        )

    def get_urlpatterns(self):
        action_kwargs = {"edit_url_name": self.get_url_name("edit")}
        return super().get_urlpatterns() + [
            path(
                "assign/<int:pk>/",
                AssignInquiryView.as_view(**action_kwargs),
                name="assign",
            ),
            path(
                "status/<int:pk>/",
                ChangeStatusView.as_view(**action_kwargs),
                name="status",
            ),
        ]

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        class InquiriesMenuItem(base):
            """Shows how many inquiries are waiting, e.g. "Inquiries (3 new)"."""

            def render_component(self, request):
                component = super().render_component(request)
                if count := new_inquiry_count():
                    component.label = f"{self.label} ({count} new)"
                return component

        return InquiriesMenuItem
