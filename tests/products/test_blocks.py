from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamBlockValidationError

from products.blocks import ProductSpecsBlock

SPECS = ProductSpecsBlock()


def render_row(block_type, value):
    block = SPECS.child_blocks[block_type]
    return block.render(block.to_python(value))


@pytest.mark.parametrize(
    ("block_type", "value", "label", "shown"),
    [
        ("brand", "Lenovo", "Brand", "Lenovo"),
        ("model", "X1 Carbon Gen 12", "Model", "X1 Carbon Gen 12"),
        ("processor", "Intel Core Ultra 7 155U", "Processor", "Intel Core Ultra 7 155U"),
        ("ram", 32, "RAM", "32 GB"),
        ("storage", "1 TB SSD", "Storage", "1 TB SSD"),
        ("display", '14" 2880x1800 OLED', "Display", "14&quot; 2880x1800 OLED"),
        ("weight", "1.09", "Weight", "1.09 kg"),
        ("feature", {"label_text": "Battery", "value_text": "18 hours"}, "Battery", "18 hours"),
    ],
)
def test_each_spec_block_renders_one_row_of_the_spec_table(block_type, value, label, shown):
    html = render_row(block_type, value)

    assert html.strip() == f'<tr><th scope="row">{label}</th><td>{shown}</td></tr>'


def test_spec_values_typed_by_editors_are_escaped():
    html = render_row("feature", {"label_text": "<b>Ports</b>", "value_text": "<script>x</script>"})

    assert "<script>" not in html
    assert "&lt;b&gt;Ports&lt;/b&gt;" in html


@pytest.mark.parametrize("ram", [0, -8])
def test_ram_must_be_a_positive_number_of_gigabytes(ram):
    with pytest.raises(ValidationError, match="RAM must be a whole number of gigabytes"):
        SPECS.child_blocks["ram"].clean(ram)


def test_ram_accepts_a_positive_whole_number():
    assert SPECS.child_blocks["ram"].clean(16) == 16


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-1.2")])
def test_weight_must_be_more_than_zero_kilograms(weight):
    with pytest.raises(ValidationError, match="Weight must be greater than zero kilograms"):
        SPECS.child_blocks["weight"].clean(weight)


def test_weight_keeps_two_decimal_places():
    with pytest.raises(ValidationError):
        SPECS.child_blocks["weight"].clean(Decimal("1.234"))
    assert SPECS.child_blocks["weight"].clean(Decimal("1.35")) == Decimal("1.35")


@pytest.mark.parametrize("block_type", ["brand", "model", "processor", "storage", "display"])
def test_text_specs_are_required_and_limited_to_120_characters(block_type):
    block = SPECS.child_blocks[block_type]
    with pytest.raises(ValidationError):
        block.clean("")
    with pytest.raises(ValidationError):
        block.clean("x" * 121)
    assert block.clean("x" * 120) == "x" * 120


def test_other_feature_needs_both_a_label_and_a_value():
    block = SPECS.child_blocks["feature"]
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"label_text": "Battery", "value_text": ""}))


def test_a_product_has_at_most_one_brand():
    specs = SPECS.to_python([{"type": "brand", "value": "Dell"}, {"type": "brand", "value": "HP"}])
    with pytest.raises(StreamBlockValidationError) as error:
        SPECS.clean(specs)
    assert "Brand: The maximum number of items is 1" in str(error.value.as_json_data())


def test_several_other_features_are_allowed():
    specs = SPECS.to_python(
        [
            {"type": "feature", "value": {"label_text": "Battery", "value_text": "18 hours"}},
            {"type": "feature", "value": {"label_text": "Ports", "value_text": "2x USB-C"}},
        ]
    )
    assert len(SPECS.clean(specs)) == 2
