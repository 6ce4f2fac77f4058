import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from home.shared.roles import MARKETERS
from support.inquiries import ASSIGN_ACTION
from support.models import Contact, InquiryStatus
from tests.factories import make_admin_user, make_inquiry, make_staff_in_role

pytestmark = pytest.mark.django_db

LIST_URL = reverse("support_inquiries:list")


def edit_url(inquiry):
    return reverse("support_inquiries:edit", args=[inquiry.pk])


def assign_url(inquiry):
    return reverse("support_inquiries:assign", args=[inquiry.pk])


def status_url(inquiry):
    return reverse("support_inquiries:status", args=[inquiry.pk])


def listed_names(response):
    return [inquiry.name for inquiry in response.context["object_list"]]


@pytest.fixture
def agent_client(client, support_agent):
    client.force_login(support_agent)
    return client


@pytest.fixture
def marketer(home_page):
    """A member of the shop's Marketers role (see home/shared/roles.py)."""
    return make_staff_in_role(MARKETERS, username="mia")


def test_list_shows_date_name_subject_status_and_assignee(agent_client, support_agent):
    make_inquiry(name="Grace Hopper", description="Battery drains overnight\nModel X13")
    make_inquiry(name="Alan Turing", description="Invoice copy please", assignee=support_agent,
                 status=InquiryStatus.IN_PROGRESS)

    response = agent_client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("Received", "Name", "Subject", "Status", "Assignee"):
        assert f"{heading}\n" in html
    assert "Battery drains overnight" in html
    assert "Model X13" not in html
    assert "In progress" in html
    assert "Sam Support" in html


def test_list_is_newest_first(agent_client):
    make_inquiry(name="Older", created_at=timezone.now() - timedelta(days=2))
    make_inquiry(name="Newer")

    assert listed_names(agent_client.get(LIST_URL)) == ["Newer", "Older"]


def test_list_queries_do_not_grow_with_the_rows(agent_client, support_agent,
                                                django_assert_max_num_queries):
    for number in range(15):
        make_inquiry(name=f"Sender {number}", assignee=support_agent)
    agent_client.get(LIST_URL)  # content types and permissions are cached after this

    with django_assert_max_num_queries(15):
        response = agent_client.get(LIST_URL)
    assert len(response.context["object_list"]) == 15


def test_filter_by_status(agent_client):
    make_inquiry(name="Open")
    make_inquiry(name="Done", status=InquiryStatus.RESOLVED)

    response = agent_client.get(LIST_URL, {"status": "resolved"})

    assert listed_names(response) == ["Done"]


def test_filter_by_assignee_and_unassigned(agent_client, support_agent, second_agent):
    make_inquiry(name="Mine", assignee=support_agent)
    make_inquiry(name="Kims", assignee=second_agent)
    make_inquiry(name="Nobodys")

    assert listed_names(agent_client.get(LIST_URL, {"assignee": support_agent.pk})) == ["Mine"]
    assert listed_names(agent_client.get(LIST_URL, {"assignee": "null"})) == ["Nobodys"]


def test_search_finds_name_email_and_description(agent_client):
    make_inquiry(name="Grace Hopper", email="grace@navy.example", description="Keyboard")
    make_inquiry(name="Alan Turing", email="alan@example.com", description="Refund for SF-9")

    assert listed_names(agent_client.get(LIST_URL, {"q": "refund"})) == ["Alan Turing"]
    assert listed_names(agent_client.get(LIST_URL, {"q": "navy"})) == ["Grace Hopper"]


def test_assign_to_me_from_the_edit_page(agent_client, support_agent):
    inquiry = make_inquiry()
    page = agent_client.get(edit_url(inquiry)).content.decode()
    assert f'name="assignee" value="{support_agent.pk}">Assign to me' in page

    response = agent_client.post(assign_url(inquiry), {"assignee": support_agent.pk}, follow=True)

    inquiry.refresh_from_db()
    assert inquiry.assignee == support_agent
    assert inquiry.status == InquiryStatus.IN_PROGRESS
    assert response.redirect_chain[-1][0] == edit_url(inquiry)
    assert "is assigned to you" in response.content.decode()
    history = agent_client.get(reverse("support_inquiries:history", args=[inquiry.pk]))
    assert "Assigned to Sam Support" in history.content.decode()


def test_assign_to_a_colleague(agent_client, second_agent):
    inquiry = make_inquiry()

    agent_client.post(assign_url(inquiry), {"assignee": second_agent.pk})

    inquiry.refresh_from_db()
    assert inquiry.assignee == second_agent


def test_assigning_someone_outside_support_is_refused_with_a_message(agent_client):
    outsider = make_admin_user("mia", ["wagtailcore.change_page"])
    inquiry = make_inquiry()

    response = agent_client.post(assign_url(inquiry), {"assignee": outsider.pk}, follow=True)

    inquiry.refresh_from_db()
    assert inquiry.assignee is None
    assert "nothing was changed" in response.content.decode()


def test_resolve_from_the_edit_page(agent_client, support_agent):
    inquiry = make_inquiry(assignee=support_agent, status=InquiryStatus.IN_PROGRESS)
    page = agent_client.get(edit_url(inquiry)).content.decode()
    assert 'name="status" value="resolved">Resolve' in page

    response = agent_client.post(status_url(inquiry), {"status": "resolved"}, follow=True)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.RESOLVED
    assert inquiry.resolved_at is not None
    assert "is now resolved" in response.content.decode()
    history = agent_client.get(reverse("support_inquiries:history", args=[inquiry.pk]))
    assert "Status changed from In progress to Resolved" in history.content.decode()


def test_a_status_change_the_table_does_not_allow_is_reported(agent_client):
    inquiry = make_inquiry(status=InquiryStatus.SPAM)

    response = agent_client.post(status_url(inquiry), {"status": "resolved"}, follow=True)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SPAM
    assert "cannot be marked resolved" in response.content.decode()


def test_actions_need_a_post_with_a_csrf_token(support_agent):
    inquiry = make_inquiry()
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_agent)

    assert client.get(status_url(inquiry), {"status": "resolved"}).status_code == 405
    assert client.post(status_url(inquiry), {"status": "resolved"}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW


def test_notes_are_editable_but_what_the_sender_wrote_is_not(agent_client):
    inquiry = make_inquiry(name="Grace Hopper", description="Original text")

    response = agent_client.post(
        edit_url(inquiry),
        {"notes": "Called her back; new charger sent.", "name": "Changed",
         "description": "Changed", "status": "resolved"},
    )

    inquiry.refresh_from_db()
    assert response.status_code == 302
    assert inquiry.notes == "Called her back; new charger sent."
    assert inquiry.name == "Grace Hopper"
    assert inquiry.description == "Original text"
    assert inquiry.status == InquiryStatus.NEW


def test_export_csv_has_the_listed_inquiries_with_readable_values(agent_client, support_agent):
    received = timezone.now().replace(microsecond=0)
    make_inquiry(
        name="Grace Hopper", phone="5551234567", order_reference="SF-1042",
        description="Battery drains\nsecond line", assignee=support_agent,
        status=InquiryStatus.IN_PROGRESS, notes="Replacement sent", created_at=received,
    )
    make_inquiry(name="Spammer", status=InquiryStatus.SPAM)

    response = agent_client.get(LIST_URL, {"export": "csv", "status": "in_progress"})

    assert response["Content-Disposition"] == 'attachment; filename="inquiries.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["Name"] == "Grace Hopper"
    assert row["Email"] == "grace@example.com"
    assert row["Phone"] == "5551234567"
    assert row["Order number"] == "SF-1042"
    assert row["Subject"] == "Battery drains"
    assert row["How can we help?"] == "Battery drains\nsecond line"
    assert row["Status"] == "In progress"
    assert row["Assignee"] == "Sam Support"
    assert row["Internal notes"] == "Replacement sent"
    assert row["Received"] == timezone.localtime(received).strftime("%Y-%m-%d %H:%M")
    assert row["Resolved"] == ""


def test_export_keeps_formula_like_text_as_text(agent_client):
    make_inquiry(name="=HYPERLINK(\"http://evil.example\")", description="+1 fix it")

    response = agent_client.get(LIST_URL, {"export": "csv"})

    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["Name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["How can we help?"] == "'+1 fix it"


def test_menu_shows_how_many_inquiries_are_new(agent_client):
    make_inquiry()
    make_inquiry()
    make_inquiry(status=InquiryStatus.RESOLVED)

    response = agent_client.get(reverse("wagtailadmin_home"))

    html = response.content.decode()
    assert "Inquiries (2 new)" in html
    assert "2 new inquiries" in html


def test_dashboard_counts_open_inquiries_new_and_in_progress(agent_client):
    make_inquiry()
    make_inquiry(status=InquiryStatus.IN_PROGRESS)
    make_inquiry(status=InquiryStatus.IN_PROGRESS)
    make_inquiry(status=InquiryStatus.RESOLVED)

    html = agent_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Open inquiries" in html
    assert "1 new inquiry</a>" in html
    assert "2 in progress</a>" in html


def test_inquiries_cannot_be_added_in_the_admin(client, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(boss)

    assert client.get(reverse("support_inquiries:add")).status_code == 302
    assert b"Add inquiry" not in client.get(LIST_URL).content
    assert not Contact.objects.exists()


def test_marketer_without_support_permissions_cannot_open_inquiries(client, marketer):
    inquiry = make_inquiry()
    client.force_login(marketer)

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    assert "Inquiries" not in dashboard.content.decode()
    for url in (LIST_URL, edit_url(inquiry), LIST_URL + "?export=csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    response = client.post(assign_url(inquiry), {"assignee": marketer.pk})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.assignee is None
    assert not ModelLogEntry.objects.filter(action=ASSIGN_ACTION).exists()


def test_view_only_staff_can_read_inquiries_but_not_act_on_them(client):
    reader = make_admin_user("rae", ["support.view_contact"])
    inquiry = make_inquiry(name="Grace Hopper")
    client.force_login(reader)

    assert listed_names(client.get(LIST_URL)) == ["Grace Hopper"]
    inspect = client.get(reverse("support_inquiries:inspect", args=[inquiry.pk]))
    assert b"My laptop will not charge." in inspect.content
    assert client.post(status_url(inquiry), {"status": "resolved"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW
