from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from home.shared.admin_access import may_view_records

from .admin_views import InquiryViewSet
from .inquiries import ASSIGN_ACTION, STATUS_ACTION, new_inquiry_count
from .models import Contact, InquiryStatus

register_snippet(InquiryViewSet)


@hooks.register("register_log_actions")
def register_inquiry_log_actions(actions):
    @actions.register_action(ASSIGN_ACTION)
    class AssignFormatter(LogFormatter):
        label = "Assign inquiry"

        def format_message(self, log_entry):
            if assignee := log_entry.data.get("assignee"):
                return f"Assigned to {assignee}"
            return "Unassigned"

    @actions.register_action(STATUS_ACTION)
    class StatusFormatter(LogFormatter):
        label = "Change inquiry status"

        def format_message(self, log_entry):
            labels = dict(InquiryStatus.choices)
            return "Status changed from {} to {}".format(
                labels.get(log_entry.data.get("from"), "?"),
                labels.get(log_entry.data.get("to"), "?"),
            )


class OpenInquiriesPanel(Component):
    """Dashboard panel: open inquiries, the ones nobody has picked up yet first."""

    name = "open_inquiries"
    template_name = "support/admin/open_inquiries_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        return {
            "count": new_inquiry_count(),
            "in_progress": Contact.objects.filter(status=InquiryStatus.IN_PROGRESS).count(),
            "oldest": Contact.objects.filter(status=InquiryStatus.NEW).order_by("created_at")[:5],
            "status_new": InquiryStatus.NEW,
            "status_in_progress": InquiryStatus.IN_PROGRESS,
        }


@hooks.register("construct_homepage_panels")
def add_open_inquiries_panel(request, panels):
    if may_view_records(request.user, Contact):
        panels.append(OpenInquiriesPanel())
