import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commerce.checkout.models import CheckoutDetail
from commerce.payments.cash_on_delivery import CashOnDelivery
from commerce.payments.gateways import PaymentDeclined, RefundFailed
from commerce.payments.models import PaymentStatus, Refund, RefundStatus
from commerce.payments.refunds import issue_refund, pending_refund, settle_refund
from commerce.payments.testcard import (
    CardDetails,
    TestCardGateway,
    card_brand,
    clean_card_number,
    clean_cvc,
    clean_expiry,
    luhn_valid,
)
from tests.factories import make_order

NEXT_YEAR = datetime.date.today().year + 1

# The test numbers documented in the README.
APPROVED = {
    "4242424242424242": "Visa",
    "5555555555554444": "Mastercard",
    "2223003122003222": "Mastercard",
    "378282246310005": "American Express",
    "6011111111111117": "Discover",
}


@pytest.mark.parametrize("number", [*APPROVED, TestCardGateway.DECLINED_NUMBER])
def test_documented_test_numbers_pass_the_luhn_check(number):
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "4242424242424224", "12345678901"])
def test_a_mistyped_number_fails_the_luhn_check(number):
    assert not luhn_valid(number)


@pytest.mark.parametrize("number, brand", APPROVED.items())
def test_card_brand_is_recognised_from_the_number(number, brand):
    assert card_brand(number) == brand


def test_card_numbers_may_be_typed_with_spaces_or_dashes():
    assert clean_card_number("4242 4242-4242 4242") == "4242424242424242"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("4242 4242 4242 4241", "That card number is not valid. Check it for typing mistakes."),
        ("4242", "Enter the 12 to 19 digits of your card number."),
        ("4242-abcd-4242-4242", "Enter the 12 to 19 digits of your card number."),
    ],
)
def test_bad_card_numbers_are_refused_with_a_reason(typed, message):
    with pytest.raises(ValidationError) as error:
        clean_card_number(typed)
    assert error.value.messages == [message]


def test_expiry_this_month_is_accepted_and_last_month_refused():
    today = datetime.date(2030, 5, 31)
    assert clean_expiry("05/30", today=today) == (5, 2030)
    assert clean_expiry("5/2030", today=today) == (5, 2030)
    with pytest.raises(ValidationError, match="This card has expired."):
        clean_expiry("04/30", today=today)


@pytest.mark.parametrize("typed", ["13/30", "00/30", "0530", "May 30", ""])
def test_malformed_expiry_is_refused(typed):
    with pytest.raises(ValidationError, match="Enter the expiry date as MM/YY"):
        clean_expiry(typed)


def test_cvc_has_three_digits_or_four_for_american_express():
    assert clean_cvc("123", "4242424242424242") == "123"
    assert clean_cvc("1234", "378282246310005") == "1234"
    with pytest.raises(ValidationError, match="3-digit security code"):
        clean_cvc("1234", "4242424242424242")
    with pytest.raises(ValidationError, match="4-digit security code"):
        clean_cvc("123", "378282246310005")
    with pytest.raises(ValidationError):
        clean_cvc("12a", "4242424242424242")


def test_test_gateway_authorises_a_good_card_keeping_only_token_brand_and_last_four():
    card = CardDetails("4242424242424242", 12, NEXT_YEAR, "123")
    result = TestCardGateway().authorise(Decimal("320.00"), reference="order 1", card=card)
    assert result.status == PaymentStatus.AUTHORISED
    assert (result.card_brand, result.card_last4) == ("Visa", "4242")
    assert result.token.startswith("test_")
    assert (result.amount_authorised, result.amount_captured) == (
        Decimal("320.00"), Decimal("320.00")
    )
    assert "4242424242424242" not in repr(result)


def test_test_gateway_declines_the_documented_declined_number():
    card = CardDetails(TestCardGateway.DECLINED_NUMBER, 12, NEXT_YEAR, "123")
    with pytest.raises(PaymentDeclined) as declined:
        TestCardGateway().authorise(Decimal("10.00"), reference="order 1", card=card)
    assert declined.value.message.startswith("Your card was declined by the bank.")
    assert declined.value.field == "card_number"


def test_test_gateway_refuses_an_expired_card_even_if_the_form_let_it_through():
    card = CardDetails("4242424242424242", 1, 2001, "123")
    with pytest.raises(PaymentDeclined, match="This card has expired."):
        TestCardGateway().authorise(Decimal("10.00"), reference="order 1", card=card)


def test_card_details_never_show_the_number_or_cvc_in_repr():
    card = CardDetails("4242424242424242", 12, NEXT_YEAR, "987")
    assert repr(card) == "CardDetails(brand='Visa', last4='4242')"
    assert "987" not in str(card)


def test_cash_on_delivery_leaves_the_payment_pending():
    result = CashOnDelivery().authorise(Decimal("99.00"), reference="order 1")
    assert result.status == PaymentStatus.PENDING
    assert (result.token, result.card_last4) == ("", "")


@pytest.mark.django_db
def test_a_refund_gives_back_what_was_captured_less_what_was_already_refunded(customer):
    order = make_order(customer, checkout=True, amount_captured=Decimal("320.00"),
                       amount_refunded=Decimal("20.00"))

    refund = pending_refund(order)

    assert refund.amount == Decimal("300.00")
    assert refund.status == RefundStatus.PENDING
    assert pending_refund(order) == refund  # asked again: the same refund, the same key


@pytest.mark.django_db
def test_a_settled_refund_is_recorded_on_the_payment_and_never_counted_twice(customer):
    order = make_order(customer, checkout=True, amount_captured=Decimal("320.00"))
    refund = pending_refund(order)
    reference = issue_refund(refund)

    settle_refund(refund, reference)
    settle_refund(refund, reference)

    detail = CheckoutDetail.objects.get(order=order)
    assert (detail.payment_status, detail.amount_refunded) == (
        PaymentStatus.REFUNDED, Decimal("320.00")
    )
    assert reference == f"test_refund_{refund.idempotency_key}"
    assert pending_refund(order) is None  # nothing left to give back


@pytest.mark.django_db
def test_nothing_is_refunded_when_nothing_was_captured(customer):
    order = make_order(customer, checkout=True, payment_method="cod",
                       payment_status=PaymentStatus.PENDING)

    assert pending_refund(order) is None
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_a_refused_refund_is_marked_failed_and_the_next_attempt_gets_a_new_key(
    customer, laptop, monkeypatch
):
    def refuse(self, token, amount, idempotency_key):
        raise RefundFailed("The provider is down.")

    order = make_order(customer, [laptop], checkout=True)
    monkeypatch.setattr(TestCardGateway, "refund", refuse)
    refused = pending_refund(order)
    with pytest.raises(RefundFailed):
        issue_refund(refused)

    refused.refresh_from_db()
    assert (refused.status, refused.failure_reason) == (
        RefundStatus.FAILED, "The provider is down."
    )
    assert pending_refund(order).idempotency_key != refused.idempotency_key


@pytest.mark.django_db
def test_a_card_payment_cannot_be_given_back_once_its_gateway_is_removed(customer, laptop,
                                                                        settings):
    order = make_order(customer, [laptop], checkout=True)
    settings.SHOP_PAYMENT_GATEWAYS = {"cod": "commerce.payments.cash_on_delivery.CashOnDelivery"}

    with pytest.raises(RefundFailed, match="No gateway is configured for card payments"):
        pending_refund(order)

    order.checkout_detail.refresh_from_db()
    assert order.checkout_detail.payment_status == PaymentStatus.AUTHORISED
    assert not Refund.objects.exists()
