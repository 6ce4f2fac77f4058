from decimal import Decimal

import pytest

from products.weight import parse_weight_kg, product_weight_kg
from tests.factories import make_product


@pytest.mark.parametrize(
    ("written", "kilograms"),
    [
        (Decimal("1.40"), Decimal("1.40")),
        ("1.4 kg", Decimal("1.4")),
        ("1400 g", Decimal("1.4")),
        ("2,5 kg", Decimal("2.5")),
        ("3.1 lb", Decimal("1.406136347")),
        ("2 lbs", Decimal("0.90718474")),
        ("1.2", Decimal("1.2")),
    ],
)
def test_weights_are_read_in_kilograms_whatever_unit_staff_wrote(written, kilograms):
    assert parse_weight_kg(written) == kilograms


@pytest.mark.parametrize("written", [None, "", "heavy", "3 stone", "0 kg", Decimal("0")])
def test_what_is_no_weight_reads_as_none(written):
    assert parse_weight_kg(written) is None


@pytest.mark.django_db
def test_a_product_weighs_its_weight_spec_or_a_feature_row_labelled_weight(product_index):
    spec = make_product(product_index, "Spec", features=[("weight", Decimal("2.10"))])
    row = make_product(
        product_index, "Row",
        features=[("feature", {"label_text": "Weight", "value_text": "3.1 lb"})],
    )
    none = make_product(product_index, "None", features=[("brand", "Acme")])

    assert product_weight_kg(spec.features) == Decimal("2.10")
    assert product_weight_kg(row.features).quantize(Decimal("0.01")) == Decimal("1.41")
    assert product_weight_kg(none.features) is None
