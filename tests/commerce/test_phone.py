import pytest
from django.core.exceptions import ValidationError

from commerce.checkout.forms import CheckoutForm
from commerce.customers.forms import ProfileForm, SignUpForm
from commerce.customers.models import Customer
from home.shared.phone import normalize_phone

PHONE_ERROR = "Enter a 10-digit phone number, for example 555-123-4567."


@pytest.mark.parametrize(
    "typed", ["5551234567", "555-123-4567", "(555) 123-4567", "555.123.4567", " 555 123 4567 "]
)
def test_ten_digits_with_common_separators_are_accepted(typed):
    assert normalize_phone(typed) == "5551234567"


@pytest.mark.parametrize(
    "typed",
    ["555123456", "55512345678", "+15551234567", "555-123-456a", "555_123_4567", "", "phone"],
)
def test_anything_but_ten_digits_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)
    assert error.value.messages == [PHONE_ERROR]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [SignUpForm, ProfileForm, CheckoutForm])
def test_every_form_taking_a_phone_gives_the_same_field_error(form_class):
    form = form_class(data={"phone": "555-1234"})
    assert form.errors["phone"] == [PHONE_ERROR]


@pytest.mark.django_db
def test_a_stored_phone_must_already_be_ten_digits():
    customer = Customer(name="Ada", email="ada@example.com", phone="555-123-4567")
    with pytest.raises(ValidationError) as error:
        customer.full_clean(exclude=["user"])
    assert PHONE_ERROR in error.value.message_dict["phone"]
