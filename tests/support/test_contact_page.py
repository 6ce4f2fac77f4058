import logging
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from commerce.customers.models import Customer
from config.env import tasks_config
from home.models import HomePage, OutgoingEmail
from support.inquiries import normalised_address
from support.models import Contact, ContactPage, InquiryStatus, SupportSettings
from tests.factories import make_customer, make_staff_user

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "",
    "order_reference": "",
    "description": "My laptop will not charge.\nThe light stays off.",
    "website": "",
}


def send(client, page, **changes):
    return client.post(page.url, {**VALID, **changes})


def test_contact_page_shows_the_editable_intro_and_a_labelled_form(client, contact_page):
    response = client.get(contact_page.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Write to our support desk." in html
    assert html.count("<h1") == 1
    for field in ["name", "email", "phone", "order_reference", "description"]:
        assert f'for="id_{field}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_valid_inquiry_is_saved_and_sender_sees_the_thank_you_text(client, contact_page):
    response = send(client, contact_page, phone="(555) 123-4567", order_reference=" sf-1042 ")

    inquiry = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith("/contact/thanks/")
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.phone == "5551234567"
    assert inquiry.order_reference == "SF-1042"
    assert inquiry.customer is None
    thanks = client.get(response["Location"])
    assert b"Thanks! A person will answer within a day." in thanks.content
    assert f"#{inquiry.pk}".encode() in thanks.content


def test_thank_you_page_without_a_sent_message_goes_back_to_the_form(client, contact_page):
    response = client.get(contact_page.url + "thanks/")

    assert response.status_code == 302
    assert response["Location"] == contact_page.url


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "grace-at-example", "Enter a valid email address."),
        ("phone", "555-1234", "Enter a 10-digit phone number"),
        ("phone", "+1 555 123 4567", "Enter a 10-digit phone number"),
        ("description", "   ", "This field is required."),
        ("name", "", "This field is required."),
    ],
)
def test_invalid_field_is_reported_next_to_it_and_nothing_is_saved(
    client, contact_page, field, value, error
):
    response = send(client, contact_page, **{field: value})

    assert response.status_code == 200
    assert error in response.context["form"].errors[field][0]
    assert error in response.content.decode()
    assert not Contact.objects.exists()
    assert mail.outbox == []


def test_invalid_submission_keeps_what_the_sender_typed(client, contact_page):
    response = send(client, contact_page, email="nope")

    assert "My laptop will not charge." in response.content.decode()


def test_filled_honeypot_is_refused_with_a_message_and_the_text_kept(client, contact_page):
    response = send(client, contact_page, website="http://spam.example")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your message was not sent" in html
    assert "My laptop will not charge." in html
    assert "spam.example" not in html  # emptied, so a person can simply send again
    assert not Contact.objects.exists()


def test_address_over_the_limit_is_told_to_wait_with_429_and_keeps_its_text(
    client, contact_page, settings
):
    for _ in range(settings.CONTACT_MESSAGES_PER_ADDRESS):
        assert send(client, contact_page).status_code == 302

    response = send(client, contact_page, email="GRACE@example.com", description="Still broken")

    html = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.CONTACT_THROTTLE_MINUTES * 60)
    assert "from GRACE@example.com in the last 10 minutes, so this one has not been sent" in html
    assert "Still broken" in html
    assert 'value="GRACE@example.com"' in html
    assert Contact.objects.count() == settings.CONTACT_MESSAGES_PER_ADDRESS


def test_plus_tags_and_case_do_not_make_a_new_address(client, contact_page, settings):
    for number in range(settings.CONTACT_MESSAGES_PER_ADDRESS):
        send(client, contact_page, email=f"ada+{number}@example.com")

    response = send(client, contact_page, email="Ada+x@Example.COM")

    assert response.status_code == 429
    assert not Contact.objects.filter(email__iexact="Ada+x@Example.COM").exists()


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("Ada+x@Example.COM", "ada@example.com"),
        ("  ada@example.com ", "ada@example.com"),
        ("ADA+shop+2@example.com", "ada@example.com"),
        ("Straße@example.com", "strasse@example.com"),
    ],
)
def test_addresses_are_counted_as_one_mailbox(typed, mailbox):
    assert normalised_address(typed) == mailbox


def test_throttle_counts_each_address_separately(client, contact_page, settings):
    for _ in range(settings.CONTACT_MESSAGES_PER_ADDRESS):
        send(client, contact_page)

    response = send(client, contact_page, email="ada@example.com")

    assert response.status_code == 302
    assert Contact.objects.filter(email="ada@example.com").exists()


def test_one_client_sending_from_many_addresses_is_stopped(client, contact_page, settings):
    settings.CONTACT_MESSAGES_PER_CLIENT = 4
    for number in range(4):
        assert send(client, contact_page, email=f"sender{number}@example.com").status_code == 302

    response = send(client, contact_page, email="sender9@example.com", description="Hello?")

    html = response.content.decode()
    assert response.status_code == 429
    assert "too many messages from your network" in html
    assert "Hello?" in html
    assert Contact.objects.count() == 4
    other_client = client.post(
        contact_page.url, {**VALID, "email": "sender9@example.com"}, REMOTE_ADDR="203.0.113.9"
    )
    assert other_client.status_code == 302


def test_sender_gets_an_acknowledgement_and_support_a_notification(
    client, contact_page, support_address
):
    send(client, contact_page, phone="555 123 4567", order_reference="SF-1042")

    inquiry = Contact.objects.get()
    acknowledgement, notification = mail.outbox
    assert acknowledgement.to == ["grace@example.com"]
    assert acknowledgement.reply_to == [support_address]
    assert f"#{inquiry.pk}" in acknowledgement.subject
    assert "Hello Grace Hopper" in acknowledgement.body
    assert "My laptop will not charge." in acknowledgement.body
    assert "SF-1042" in acknowledgement.body
    assert notification.to == [support_address]
    assert notification.reply_to == ["grace@example.com"]
    assert notification.subject == (
        f"New inquiry #{inquiry.pk} from Grace Hopper: My laptop will not charge."
    )
    assert "5551234567" in notification.body
    assert f"http://testserver/admin/support/inquiries/edit/{inquiry.pk}/" in notification.body
    html, mimetype = notification.alternatives[0]
    assert mimetype == "text/html"
    assert "My laptop will not charge.<br>The light stays off." in html


def test_sender_text_is_escaped_in_the_html_emails(client, contact_page, support_address):
    send(client, contact_page, name="<b>Eve</b>", description="<script>alert(1)</script>")

    for message in mail.outbox:
        html, _ = message.alternatives[0]
        assert "<script>" not in html
        assert "&lt;script&gt;" in html


def test_without_a_support_address_only_the_sender_is_emailed_and_it_is_logged(
    client, contact_page, caplog
):
    with caplog.at_level(logging.WARNING, logger="support.inquiries"):
        send(client, contact_page)

    assert [message.to for message in mail.outbox] == [["grace@example.com"]]
    assert "no support address is set" in caplog.text


def test_inquiry_is_saved_when_the_mail_server_is_down(
    client, contact_page, support_address, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.support.email_backends.BrokenSMTPBackend"

    with caplog.at_level(logging.ERROR):
        response = send(client, contact_page)

    assert response.status_code == 302
    assert Contact.objects.filter(email="grace@example.com").exists()
    assert any(
        record.levelno >= logging.ERROR and "SMTPServerDisconnected" in str(record.exc_text)
        for record in caplog.records
    )
    thanks = client.get(response["Location"]).content.decode()
    assert "could not email you a copy" in thanks
    assert "emailed a copy" not in thanks
    assert OutgoingEmail.objects.about(Contact.objects.get()).failed().count() == 2


def test_sender_is_told_their_copy_was_emailed_once_it_was(client, contact_page):
    response = send(client, contact_page)

    thanks = client.get(response["Location"]).content.decode()
    assert "We have emailed a copy of your message to grace@example.com." in thanks


def test_with_a_worker_the_sender_is_told_their_copy_is_coming(
    client, contact_page, settings
):
    settings.TASKS = tasks_config("database")

    response = send(client, contact_page)

    assert mail.outbox == []
    thanks = client.get(response["Location"]).content.decode()
    assert "We will email a copy of your message to grace@example.com" in thanks
    assert "emailed a copy" not in thanks


def test_inquiry_is_saved_when_emails_cannot_be_queued_and_sender_is_told(
    client, contact_page, support_address, caplog
):
    with mock.patch("home.shared.emails.deliver_email") as deliver:
        deliver.enqueue.side_effect = ConnectionError("queue unreachable")
        with caplog.at_level(logging.ERROR, logger="home.shared.emails"):
            response = send(client, contact_page)

    assert Contact.objects.count() == 1
    assert "Could not send the email" in caplog.text
    thanks = client.get(response["Location"])
    assert b"could not email you a copy" in thanks.content


def test_signed_in_customer_finds_the_form_filled_in(client, contact_page):
    customer = make_customer(name="Ada Lovelace", email="ada@example.com", phone="5559876543")
    client.force_login(customer.user)

    response = client.get(contact_page.url)

    form = response.context["form"]
    assert form["name"].value() == "Ada Lovelace"
    assert form["email"].value() == "ada@example.com"
    assert form["phone"].value() == "5559876543"
    assert 'value="Ada Lovelace"' in response.content.decode()


def test_inquiry_from_a_signed_in_customer_is_linked_to_them(client, contact_page):
    customer = make_customer()
    client.force_login(customer.user)

    send(client, contact_page, name="Ada L.", email="ada.work@example.com")

    inquiry = Contact.objects.get()
    assert inquiry.customer == customer
    assert inquiry.email == "ada.work@example.com"


def test_inquiry_from_staff_without_a_customer_profile_is_linked_to_nobody(client, contact_page):
    staff = make_staff_user()
    client.force_login(staff)

    send(client, contact_page)

    assert Contact.objects.get().customer is None
    assert not Customer.objects.filter(user=staff).exists()


def test_anonymous_sender_cannot_link_an_inquiry_to_a_customer(client, contact_page):
    customer = make_customer()

    send(client, contact_page, customer=customer.pk)

    assert Contact.objects.get().customer is None


def test_marketers_can_add_the_contact_page_under_the_home_page_only():
    assert ContactPage in HomePage.allowed_subpage_models()
    assert ContactPage.allowed_parent_page_models() == [HomePage]


def test_footer_links_to_the_contact_page(client, contact_page):
    response = client.get("/")

    assert f'href="{contact_page.url}"'.encode() in response.content


def test_seed_demo_adds_one_contact_page_and_a_support_address():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    page = ContactPage.objects.live().get()
    assert page.get_parent().specific_class is HomePage
    assert SupportSettings.objects.get().support_email == "support@example.com"


def test_editors_can_create_the_contact_page_in_the_admin(client, home_page, django_user_model):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.com", "x")
    client.force_login(editor)

    response = client.get(f"/admin/pages/add/support/contactpage/{home_page.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="intro"' in html
    assert 'name="thank_you_text"' in html
