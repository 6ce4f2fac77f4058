import csv
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from wagtail.blocks import StreamValue
from wagtail.images import get_image_model
from wagtail.models import Page

from products import catalogue_csv
from products.blocks import ProductSpecsBlock
from products.catalogue_csv import merged_features
from products.demo_images import draw_product_image
from products.ledger import StockReason
from products.models import ProductPage
from products.stock import change_stock
from tests.factories import (
    FORMULA_PAYLOADS,
    make_image,
    make_product,
    make_product_index,
    variant_of,
)

HEADER = (
    "name,slug,price,stock,tags,brand,model,processor,ram,storage,display,weight,"
    "feature:Battery,image\n"
)


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "zenith.png"
    path.write_bytes(draw_product_image("Zenith Air", "Zenith"))
    return path


def write_csv(tmp_path, text, name="catalogue.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args, index="shop"):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_products", str(path), "--index", index, *args, stdout=out, stderr=err)
    finally:
        run_import.stderr = err.getvalue()
    return out.getvalue()


def run_export(index="shop"):
    out = StringIO()
    call_command("export_products", "--index", index, stdout=out)
    return out.getvalue()


def test_import_creates_published_searchable_products(product_index, tmp_path, picture):
    path = write_csv(tmp_path, HEADER + (
        'Zenith Air 14,,1299.00,12,"ultralight, business",Zenith,Air 14 Z1,Intel Core Ultra 7,'
        '16,1 TB SSD,"14"" OLED",1.20,18 hours,zenith.png\n'
    ))

    output = run_import(path)

    product = ProductPage.objects.get(slug="zenith-air-14")
    assert product.live and product.get_parent().specific == product_index
    assert product.price == Decimal("1299.00")
    assert product.stock == 12
    assert sorted(tag.name for tag in product.tags.all()) == ["business", "ultralight"]
    assert product.spec_rows == [
        ("Brand", "Zenith"), ("Model", "Air 14 Z1"), ("Processor", "Intel Core Ultra 7"),
        ("RAM", "16 GB"), ("Storage", "1 TB SSD"), ("Display", '14" OLED'),
        ("Weight", "1.20 kg"), ("Battery", "18 hours"),
    ]
    assert (product.brand, product.ram_gb) == ("Zenith", 16)
    assert product.image.title == "Zenith Air 14"
    assert list(ProductPage.objects.live().search("Zenith")) == [product]
    assert "Imported 1 product(s) into “Shop”: 1 created, 0 updated, 1 new image(s)." in output


def test_every_imported_product_is_searchable_however_the_indexing_is_batched(
    product_index, tmp_path, monkeypatch
):
    monkeypatch.setattr("products.search_index.BATCH_SIZE", 2)
    rows = "".join(f"Quartz {n},,{n}00.00\n" for n in range(1, 6))

    run_import(write_csv(tmp_path, "name,slug,price\n" + rows))

    assert ProductPage.objects.live().search("Quartz").count() == 5


def test_import_shows_a_progress_bar(product_index, tmp_path):
    rows = "".join(f"Laptop {n},,{n}00.00\n" for n in range(1, 5))
    output = run_import(write_csv(tmp_path, "name,slug,price\n" + rows))

    assert "[###############...............]  50% 2/4" in output
    assert "[##############################] 100% 4/4" in output


def test_import_updates_the_product_with_the_same_slug(product_index, tmp_path):
    existing = make_product(product_index, "Zenith Air 14", price="999.00", stock=3,
                            brand="Zenith", ram=8, tags=["old"])

    run_import(write_csv(tmp_path, HEADER + (
        "Zenith Air 14 (2025),zenith-air-14,1099.00,7,new,Zenith,,,32,,,,,\n"
    )))

    product = ProductPage.objects.get(pk=existing.pk)
    assert ProductPage.objects.count() == 1
    assert (product.title, product.price, product.stock) == (
        "Zenith Air 14 (2025)", Decimal("1099.00"), 7,
    )
    assert [tag.name for tag in product.tags.all()] == ["new"]
    assert product.spec_rows == [("Brand", "Zenith"), ("RAM", "32 GB")]
    # The editor opens the latest revision: it must show the imported values, not the old ones.
    in_editor = product.get_latest_revision_as_object()
    assert (in_editor.title, in_editor.price) == ("Zenith Air 14 (2025)", Decimal("1099.00"))
    assert not product.has_unpublished_changes
    assert list(ProductPage.objects.live().search("2025")) == [product]


def test_columns_missing_from_the_file_leave_fields_unchanged(product_index, tmp_path):
    make_product(product_index, "Zenith Air 14", price="999.00", stock=3, brand="Zenith",
                 tags=["ultralight"])

    run_import(write_csv(tmp_path, "name,price\nZenith Air 14,949.00\n"))

    product = ProductPage.objects.get(slug="zenith-air-14")
    assert product.price == Decimal("949.00")
    assert product.stock == 3
    assert [tag.name for tag in product.tags.all()] == ["ultralight"]
    assert ("Brand", "Zenith") in product.spec_rows


def test_an_import_without_stock_keeps_units_sold_while_it_ran(
    product_index, tmp_path, monkeypatch
):
    product = make_product(product_index, "Zenith Air 14", price="999.00", stock=3)
    read_products = catalogue_csv._existing_products

    def read_then_sell_one(index, slugs, **kwargs):
        found = read_products(index, slugs, **kwargs)
        with transaction.atomic():  # a checkout between the import's read and its save
            change_stock({variant_of(product).pk: 1}, sign=-1, reason=StockReason.SALE)
        return found

    monkeypatch.setattr(catalogue_csv, "_existing_products", read_then_sell_one)

    run_import(write_csv(tmp_path, "name,price\nZenith Air 14,949.00\n"))

    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("949.00"), 2)


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(product_index, tmp_path):
    make_product(product_index, "Kept Laptop", price="500.00")
    path = write_csv(tmp_path, HEADER + (
        "Good Laptop,,999.00,1,,Acme,,,16,,,,,\n"
        "Cheap Laptop,,-5,1,,Acme,,,16,,,,,\n"
        "Odd Laptop,,999.00,many,,Acme,,,16 GB,,,0,,\n"
        "Good Laptop,,899.00,1,,Acme,,,16,,,,,\n"
        ",,,,,,,,,,,,,missing.png\n"
    ))

    with pytest.raises(CommandError, match="4 line"):
        run_import(path)

    errors = run_import.stderr.splitlines()
    assert "line 3: price: The price cannot be negative." in errors
    assert "line 4: stock: “many” value must be an integer." in errors
    assert "line 4: ram: Enter a whole number." in errors
    assert any(e.startswith("line 4: weight: Weight must be greater than zero") for e in errors)
    assert "line 5: slug “good-laptop” is already used on line 2." in errors
    assert "line 6: name: This field cannot be blank." in errors
    assert "line 6: price: This field cannot be blank." in errors
    assert any(e.startswith("line 6: image: no image file at") for e in errors)
    assert list(ProductPage.objects.values_list("title", flat=True)) == ["Kept Laptop"]


def test_a_row_the_database_refuses_rolls_back_the_whole_import(
    product_index, tmp_path, picture, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # A page of another type already holds the slug: only saving can find that out.
    product_index.add_child(instance=Page(title="Clash", slug="clash"))
    path = write_csv(tmp_path, f"name,price,image\nZenith Air,1.00,{picture.name}\nClash,2.00,\n")

    with pytest.raises(CommandError, match="rolled back; nothing was imported"):
        run_import(path)

    assert run_import.stderr.startswith("line 3: ")
    assert "clash" in run_import.stderr
    assert not ProductPage.objects.exists()
    assert not get_image_model().objects.exists()
    assert not list((tmp_path / "media").rglob("*.png"))


def test_a_cell_spanning_lines_does_not_shift_the_line_numbers(product_index, tmp_path):
    path = write_csv(tmp_path, (
        "name,price,feature:Note\n"
        'Laptop One,100.00,"two\nlines"\n'
        "Laptop Two,lots,\n"
    ))

    with pytest.raises(CommandError):
        run_import(path)

    assert run_import.stderr.startswith("line 4: price:")


def test_a_file_with_unknown_or_missing_columns_is_refused(product_index, tmp_path):
    path = write_csv(tmp_path, "name,colour,feature:\nLaptop,red,x\n")

    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path)

    assert run_import.stderr.splitlines() == [
        "line 1: unknown column “colour”.",
        "line 1: a feature column needs a label, for example “feature:Battery”.",
        "line 1: required column “price” is missing.",
    ]


def test_dry_run_reports_what_would_change_and_changes_nothing(product_index, tmp_path):
    make_product(product_index, "Zenith Air 14", price="999.00")
    path = write_csv(tmp_path, "name,price\nZenith Air 14,1.00\nNew Laptop,2.00\n")

    output = run_import(path, "--dry-run")

    assert "Dry run: 1 product(s) would be created and 1 updated in “Shop”." in output
    assert list(ProductPage.objects.values_list("title", "price")) == [
        ("Zenith Air 14", Decimal("999.00"))
    ]


def test_dry_run_still_reports_bad_rows(product_index, tmp_path):
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path, "name,price\nLaptop,free\n"), "--dry-run")

    assert run_import.stderr.startswith("line 2: price:")


def test_an_unknown_index_is_refused_with_the_known_ones(product_index, tmp_path):
    with pytest.raises(CommandError, match=r"No product index “outlet”\. .*shop \(/shop/\)"):
        run_import(write_csv(tmp_path, "name,price\nLaptop,1.00\n"), index="outlet")


def test_index_can_be_chosen_by_path(home_page, tmp_path):
    make_product_index(home_page, "Shop", slug="shop")
    outlet = make_product_index(home_page, "Outlet", slug="outlet")

    run_import(write_csv(tmp_path, "name,price\nLaptop,1.00\n"), index="/outlet/")

    assert ProductPage.objects.get().get_parent().pk == outlet.pk


def test_export_then_import_round_trips(home_page, tmp_path):
    shop = make_product_index(home_page, "Shop", slug="shop")
    image = make_image("Zenith Air")
    make_product(shop, "Zenith Air 14", price="1299.00", stock=12, image=image,
                 tags=["ultralight", "two words"], features=[
                     ("brand", "Zenith"), ("ram", 16), ("storage", "512 GB SSD"),
                     ("storage", "2 TB HDD"), ("weight", Decimal("1.20")),
                     ("feature", {"label_text": "Battery", "value_text": "18 hours, 72 Wh"}),
                 ])
    make_product(shop, "Orbit 13", price="499.50", stock=None, features=[
        ("brand", "Orbit"), ("feature", {"label_text": "Warranty", "value_text": "3 years"}),
    ])
    exported = run_export("shop")
    make_product_index(home_page, "Mirror", slug="mirror")

    run_import(write_csv(tmp_path, exported), "--images", str(tmp_path), index="mirror")
    run_import(write_csv(tmp_path, exported, "again.csv"), index="shop")

    assert run_export("mirror") == exported
    assert run_export("shop") == exported
    rows = list(csv.DictReader(StringIO(exported)))
    assert [row["name"] for row in rows] == ["Zenith Air 14", "Orbit 13"]
    assert rows[0]["storage"] == "512 GB SSD; 2 TB HDD"
    assert rows[0]["feature:Battery"] == "18 hours, 72 Wh"
    assert rows[1]["feature:Warranty"] == "3 years" and rows[1]["stock"] == ""
    assert rows[0]["tags"] == '"two words", ultralight'
    assert rows[0]["image"] == image.file.name and rows[1]["image"] == ""
    assert ProductPage.objects.filter(image=image).count() == 2  # reused, not uploaded again


def test_a_generated_catalogue_imports_with_bounded_work_per_row(
    product_index, tmp_path, picture, django_assert_max_num_queries
):
    rows = 150
    lines = [HEADER] + [
        f"Bulk Laptop {n},,{500 + n}.99,{n % 50},bulk,Acme,M{n},Intel,16,512 GB SSD,"
        f'"14""",1.40,{n % 20} hours,{picture.name}\n'
        for n in range(rows)
    ]
    path = write_csv(tmp_path, "".join(lines))

    # Creating a page, its tags, search entry, history and references costs a few dozen
    # queries; nothing may grow with the size of the catalogue.
    with django_assert_max_num_queries(60 * rows):
        output = run_import(path)

    assert f"{rows} created" in output
    assert ProductPage.objects.live().child_of(product_index).count() == rows
    assert ProductPage.objects.filter(image__isnull=False).values("image").distinct().count() == 1


def test_merged_features_replace_specs_in_place_and_keep_the_others():
    features = StreamValue(ProductSpecsBlock(), [
        ("brand", "Old"), ("ram", 8),
        ("feature", {"label_text": "Battery", "value_text": "5 hours"}),
        ("weight", Decimal("2.00")),
    ])

    merged = merged_features(features, {
        "brand": "New", "weight": None,
        "feature:Battery": {"label_text": "Battery", "value_text": "9 hours"},
        "feature:Colour": {"label_text": "Colour", "value_text": "Grey"},
    })

    assert [(kind, value) for kind, value in merged] == [
        ("brand", "New"), ("ram", 8),
        ("feature", {"label_text": "Battery", "value_text": "9 hours"}),
        ("feature", {"label_text": "Colour", "value_text": "Grey"}),
    ]


def test_formula_like_text_is_exported_as_text_and_imports_back_as_typed(
    home_page, tmp_path
):
    shop = make_product_index(home_page, "Shop", slug="shop")
    for number, payload in enumerate(FORMULA_PAYLOADS):
        make_product(shop, payload, slug=f"payload-{number}", features=[
            ("brand", payload),
            ("feature", {"label_text": "Note", "value_text": payload}),
        ])

    exported = run_export("shop")

    rows = list(csv.DictReader(StringIO(exported)))
    for row, payload in zip(rows, FORMULA_PAYLOADS, strict=True):
        for column in ("name", "brand", "feature:Note"):
            assert row[column] == "'" + payload
    make_product_index(home_page, "Mirror", slug="mirror")
    run_import(write_csv(tmp_path, exported), index="mirror")
    mirrored = ProductPage.objects.child_of(Page.objects.get(slug="mirror")).order_by("path")
    # The import trims each cell, so only the tab and carriage return are lost.
    assert [product.title for product in mirrored] == [text.strip() for text in FORMULA_PAYLOADS]
