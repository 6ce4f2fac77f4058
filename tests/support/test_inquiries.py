import pytest
from wagtail.models import ModelLogEntry

from support.inquiries import (
    ASSIGN_ACTION,
    STATUS_ACTION,
    InquiryActionError,
    assign_inquiry,
    change_status,
    support_staff,
)
from support.models import InquiryStatus
from tests.factories import make_admin_user, make_customer, make_inquiry

pytestmark = pytest.mark.django_db


def logged_actions(inquiry):
    return list(
        ModelLogEntry.objects.filter(object_id=str(inquiry.pk))
        .order_by("pk")
        .values_list("action", "data", "user__username")
    )


@pytest.mark.parametrize(
    ("description", "subject"),
    [
        ("Screen flickers.\nSince Monday.", "Screen flickers."),
        ("\n\n   Where   is my\torder?  \nThanks", "Where is my order?"),
        ("A" * 80, "A" * 59 + "…"),
    ],
)
def test_subject_is_the_first_line_of_the_description(description, subject):
    assert make_inquiry(description=description).subject == subject


def test_assigning_a_new_inquiry_puts_it_in_progress_and_logs_who_did_it(support_agent):
    inquiry = make_inquiry()

    assign_inquiry(inquiry, support_agent, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.assignee == support_agent
    assert inquiry.status == InquiryStatus.IN_PROGRESS
    assert logged_actions(inquiry) == [(ASSIGN_ACTION, {"assignee": "Sam Support"}, "sam")]


def test_reassigning_keeps_the_status(support_agent, second_agent):
    inquiry = make_inquiry(status=InquiryStatus.RESOLVED, assignee=support_agent)

    assign_inquiry(inquiry, second_agent, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.assignee == second_agent
    assert inquiry.status == InquiryStatus.RESOLVED


def test_only_support_staff_can_be_assigned(support_agent):
    shopper = make_customer().user
    marketer = make_admin_user("mia", ["wagtailcore.change_page"])
    inquiry = make_inquiry()

    for user in (shopper, marketer):
        with pytest.raises(InquiryActionError, match="not support staff"):
            assign_inquiry(inquiry, user, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.assignee is None
    assert logged_actions(inquiry) == []


def test_support_staff_are_the_users_allowed_to_change_inquiries(support_agent, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    make_admin_user("mia", ["wagtailcore.change_page"])
    gone = make_admin_user("old", group=support_agent.groups.get())
    gone.is_active = False
    gone.save()

    assert set(support_staff()) == {support_agent, boss}


def test_assigning_to_the_current_assignee_is_refused(support_agent):
    inquiry = make_inquiry(assignee=support_agent)

    with pytest.raises(InquiryActionError, match="already assigned to Sam Support"):
        assign_inquiry(inquiry, support_agent, by=support_agent)


def test_unassigning_is_logged(support_agent):
    inquiry = make_inquiry(assignee=support_agent, status=InquiryStatus.IN_PROGRESS)

    assign_inquiry(inquiry, None, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.assignee is None
    assert logged_actions(inquiry) == [(ASSIGN_ACTION, {"assignee": None}, "sam")]


def test_resolving_stamps_the_time_and_logs_the_change(support_agent):
    inquiry = make_inquiry()

    change_status(inquiry, InquiryStatus.RESOLVED, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RESOLVED
    assert inquiry.resolved_at is not None
    assert inquiry.resolved_at >= inquiry.created_at
    assert logged_actions(inquiry) == [
        (STATUS_ACTION, {"from": "new", "to": "resolved"}, "sam")
    ]


def test_reopening_a_resolved_inquiry_clears_the_resolved_time(support_agent):
    inquiry = make_inquiry()
    change_status(inquiry, InquiryStatus.RESOLVED, by=support_agent)

    change_status(inquiry, InquiryStatus.IN_PROGRESS, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.IN_PROGRESS
    assert inquiry.resolved_at is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (InquiryStatus.RESOLVED, InquiryStatus.SPAM),
        (InquiryStatus.SPAM, InquiryStatus.RESOLVED),
        (InquiryStatus.IN_PROGRESS, InquiryStatus.NEW),
        (InquiryStatus.RESOLVED, InquiryStatus.RESOLVED),
    ],
)
def test_status_changes_outside_the_table_are_refused(support_agent, current, target):
    inquiry = make_inquiry(status=current)

    with pytest.raises(InquiryActionError, match="cannot be marked"):
        change_status(inquiry, target, by=support_agent)

    inquiry.refresh_from_db()
    assert inquiry.status == current
    assert logged_actions(inquiry) == []
