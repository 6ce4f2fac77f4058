"""Sign-ups racing for one email address, on real concurrent database connections."""

import pytest
from django.db import connection
from django.test import Client

from commerce.customers.models import Customer
from tests.factories import SIGN_UP

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so sign-ups never overlap",
    ),
    pytest.mark.django_db(transaction=True),
]


def sign_up(number):
    response = Client().post("/accounts/signup/", {
        **SIGN_UP,
        "username": f"grace{number}",
        "email": "Grace@Example.com" if number % 2 else "grace@example.com",
    })
    return response


def test_six_sign_ups_with_one_email_make_one_account_and_tell_the_others(run_together):
    responses = run_together([lambda number=number: sign_up(number) for number in range(6)])

    assert Customer.objects.filter(email__iexact="grace@example.com").count() == 1
    assert sorted(response.status_code for response in responses) == [200] * 5 + [302]
    for response in responses:
        if response.status_code == 200:
            assert response.context["form"].errors["email"] == [
                "An account with this email address already exists. Log in, or reset your "
                "password."
            ]
