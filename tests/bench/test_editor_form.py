"""bench/cluster.py posts the Wagtail page editor's form over plain HTTP: the StreamField
inputs it builds from the editor's state must read back as the same content."""

from decimal import Decimal

from bench.cluster import block_fields
from products.blocks import ProductSpecsBlock


def test_a_products_specs_posted_as_the_editor_would_read_back_unchanged():
    specs = ProductSpecsBlock()
    value = specs.to_python([
        {"type": "brand", "value": "Lenovo", "id": "a1"},
        {"type": "ram", "value": 16, "id": "a2"},
        {"type": "weight", "value": "1.21", "id": "a3"},
        {"type": "feature", "value": {"label_text": "Warranty", "value_text": "2 years"},
         "id": "a4"},
    ])

    posted = block_fields("features", specs.get_form_state(value))
    read_back = specs.value_from_datadict(
        {name: str(field) for name, field in posted.items()}, {}, "features"
    )

    assert [(child.block_type, child.id) for child in read_back] == [
        ("brand", "a1"), ("ram", "a2"), ("weight", "a3"), ("feature", "a4")
    ]
    assert specs.clean(read_back).get_prep_value() == [
        {"type": "brand", "value": "Lenovo", "id": "a1"},
        {"type": "ram", "value": 16, "id": "a2"},
        {"type": "weight", "value": Decimal("1.21"), "id": "a3"},
        {"type": "feature", "value": {"label_text": "Warranty", "value_text": "2 years"},
         "id": "a4"},
    ]
