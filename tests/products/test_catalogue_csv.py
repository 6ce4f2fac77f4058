import csv
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.blocks import StreamValue
from wagtail.images import get_image_model
from wagtail.models import Page

from products import catalogue_csv
from products.blocks import ProductSpecsBlock
from products.catalogue_csv import merged_features
from products.demo_images import draw_product_image
from products.ledger import StockMovement, StockReason
from products.models import ProductPage
from products.stock import change_stock
from products.variants import ProductVariant
from tests.factories import (
    FORMULA_PAYLOADS,
    make_image,
    make_product,
    make_product_index,
    make_variants,
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
    path = write_csv(tmp_path, "name,color,feature:\nLaptop,red,x\n")

    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path)

    assert run_import.stderr.splitlines() == [
        "line 1: unknown column “color”.",
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


def delete_products(index):
    # SKUs are unique in the shop: a copy in another index needs the originals gone.
    for product in ProductPage.objects.child_of(index):
        product.delete()


def test_export_then_import_round_trips(home_page, tmp_path):
    shop = make_product_index(home_page, "Shop", slug="shop")
    image = make_image("Zenith Air")
    make_product(shop, "Zenith Air 14", price="1299.00", stock=12, image=image,
                 tags=["ultralight", "two words"], features=[
                     ("brand", "Zenith"), ("ram", 16), ("storage", "512 GB SSD"),
                     ("storage", "2 TB HDD"), ("weight", Decimal("1.20")),
                     ("feature", {"label_text": "Battery", "value_text": "18 hours, 72 Wh"}),
                 ])
    orbit = make_product(shop, "Orbit 13", price="499.50", stock=None, features=[
        ("brand", "Orbit"), ("feature", {"label_text": "Warranty", "value_text": "3 years"}),
    ])
    make_variants(
        orbit,
        {"sku": "ORB13-8", "ram_gb": 8, "storage_gb": 256, "colour": "Grey"},
        {"sku": "ORB13-16", "ram_gb": 16, "storage_gb": 1024, "colour": "Grey",
         "price": "649.00", "stock": 4},
        {"sku": "ORB13-32", "ram_gb": 32, "storage_gb": 1024, "colour": "Blue",
         "price": "799.00", "stock": 0, "active": False},
    )
    exported = run_export("shop")
    delete_products(shop)
    make_product_index(home_page, "Mirror", slug="mirror")

    run_import(write_csv(tmp_path, exported), "--images", str(tmp_path), index="mirror")
    assert run_export("mirror") == exported
    run_import(write_csv(tmp_path, exported, "again.csv"), index="mirror")
    assert run_export("mirror") == exported

    rows = list(csv.DictReader(StringIO(exported)))
    assert [row["name"] for row in rows] == ["Zenith Air 14", "Orbit 13", "", ""]
    assert [row["slug"] for row in rows[1:]] == ["orbit-13"] * 3
    assert [(row["sku"], row["ram_gb"], row["storage_gb"], row["colour"], row["variant_price"],
             row["stock"], row["active"]) for row in rows[1:]] == [
        ("ORB13-8", "8", "256", "Grey", "", "", "yes"),
        ("ORB13-16", "16", "1024", "Grey", "649.00", "4", "yes"),
        ("ORB13-32", "32", "1024", "Blue", "799.00", "0", "no"),
    ]
    assert rows[0]["storage"] == "512 GB SSD; 2 TB HDD"
    assert rows[0]["feature:Battery"] == "18 hours, 72 Wh" and rows[0]["stock"] == "12"
    assert rows[1]["feature:Warranty"] == "3 years"
    assert rows[0]["tags"] == '"two words", ultralight'
    assert rows[0]["image"] == image.file.name and rows[1]["image"] == ""
    assert ProductPage.objects.filter(image=image).count() == 1  # reused, not uploaded again
    mirrored = ProductPage.objects.get(slug="orbit-13")
    assert (mirrored.stock, mirrored.price_from, mirrored.price_to) == (
        None, Decimal("499.50"), Decimal("649.00"),
    )


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
    delete_products(shop)

    rows = list(csv.DictReader(StringIO(exported)))
    for row, payload in zip(rows, FORMULA_PAYLOADS, strict=True):
        for column in ("name", "brand", "feature:Note"):
            assert row[column] == "'" + payload
    make_product_index(home_page, "Mirror", slug="mirror")
    run_import(write_csv(tmp_path, exported), index="mirror")
    mirrored = ProductPage.objects.child_of(Page.objects.get(slug="mirror")).order_by("path")
    # The import trims each cell, so only the tab and carriage return are lost.
    assert [product.title for product in mirrored] == [text.strip() for text in FORMULA_PAYLOADS]


VARIANT_HEADER = "name,slug,price,sku,ram_gb,storage_gb,colour,variant_price,stock,active\n"


def variants_of(slug):
    return list(
        ProductVariant.objects.filter(product__slug=slug).order_by("sort_order")
        .values_list("sku", "ram_gb", "storage_gb", "colour", "price", "stock", "active")
    )


def test_a_product_is_imported_with_its_configurations_one_row_each(product_index, tmp_path):
    run_import(write_csv(tmp_path, VARIANT_HEADER + (
        "Zenith Air 14,zenith-air-14,1299.00,ZA14-16-512,16,512,Silver,,5,yes\n"
        ",zenith-air-14,,ZA14-32-1T,32,1024,Silver,1599.00,2,\n"
        "Zenith Air 14,zenith-air-14,1299.00,ZA14-32-1T-B,32,1024,Black,1649.00,0,no\n"
    )))

    product = ProductPage.objects.get(slug="zenith-air-14")
    assert variants_of("zenith-air-14") == [
        ("ZA14-16-512", 16, 512, "Silver", None, 5, True),
        ("ZA14-32-1T", 32, 1024, "Silver", Decimal("1599.00"), 2, True),
        ("ZA14-32-1T-B", 32, 1024, "Black", Decimal("1649.00"), 0, False),
    ]
    # The stock total and "from" price count the active configurations only.
    assert (product.stock, product.price_from, product.price_to) == (
        7, Decimal("1299.00"), Decimal("1599.00"),
    )
    assert sorted(StockMovement.objects.filter(product=product).values_list(
        "variant__sku", "change", "reason"
    )) == [("ZA14-16-512", 5, StockReason.IMPORT), ("ZA14-32-1T", 2, StockReason.IMPORT)]


def test_rows_update_variants_by_sku_and_add_new_ones(product_index, tmp_path):
    product = make_product(product_index, "Orbit 13", price="499.00")
    kept, updated = make_variants(
        product,
        {"sku": "ORB-8", "ram_gb": 8, "stock": 3},
        {"sku": "ORB-16", "ram_gb": 16, "stock": 1},
    )
    product.save_revision().publish()

    run_import(write_csv(tmp_path, VARIANT_HEADER + (
        "Orbit 13,orbit-13,499.00,ORB-16,16,,,599.00,9,\n"
        ",orbit-13,,ORB-32,32,,,699.00,4,\n"
    )))

    assert variants_of("orbit-13") == [
        ("ORB-8", 8, None, "", None, 3, True),  # not in the file: left as it was
        ("ORB-16", 16, None, "", Decimal("599.00"), 9, True),
        ("ORB-32", 32, None, "", Decimal("699.00"), 4, True),
    ]
    assert ProductPage.objects.get(pk=product.pk).stock == 16
    # The editor opens the latest revision: it must hold the new configuration, or
    # publishing it would take ORB-32 away again.
    in_editor = ProductPage.objects.get(pk=product.pk).get_latest_revision_as_object()
    assert [variant.sku for variant in in_editor.variants.all()] == ["ORB-8", "ORB-16", "ORB-32"]
    assert list(StockMovement.objects.filter(reason=StockReason.IMPORT).values_list(
        "variant__sku", "change", "balance"
    ).order_by("variant__sku")) == [("ORB-16", 8, 9), ("ORB-32", 4, 4)]


def test_a_file_without_variant_columns_leaves_the_configurations_alone(
    product_index, tmp_path
):
    product = make_product(product_index, "Orbit 13", price="499.00")
    make_variants(product, {"sku": "ORB-8", "ram_gb": 8, "stock": 3},
                  {"sku": "ORB-16", "ram_gb": 16, "price": "599.00", "stock": 1})

    run_import(write_csv(tmp_path, "name,price\nOrbit 13,449.00\n"))

    assert variants_of("orbit-13") == [
        ("ORB-8", 8, None, "", None, 3, True),
        ("ORB-16", 16, None, "", Decimal("599.00"), 1, True),
    ]
    product.refresh_from_db()
    assert (product.price, product.price_from) == (Decimal("449.00"), Decimal("449.00"))


def test_a_stock_count_without_a_sku_is_refused_for_a_product_of_several_configurations(
    product_index, tmp_path
):
    product = make_product(product_index, "Orbit 13", price="499.00")
    make_variants(product, {"sku": "ORB-8", "stock": 3}, {"sku": "ORB-16", "stock": 1})

    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(write_csv(tmp_path, "name,price,stock\nOrbit 13,449.00,10\n"))

    assert run_import.stderr.splitlines() == [
        "line 2: “Orbit 13” is sold in 2 configurations: give each its own row, with its SKU "
        "in a sku column."
    ]
    assert ProductPage.objects.get(pk=product.pk).price == Decimal("499.00")


def test_bad_variant_rows_are_reported_by_line_and_nothing_is_imported(
    product_index, tmp_path
):
    other = make_product(product_index, "Other Laptop", price="500.00")
    make_variants(other, {"sku": "TAKEN-1"})
    path = write_csv(tmp_path, VARIANT_HEADER + (
        "Zenith Air,zenith-air,999.00,ZA-1,16,512,Silver,,1,\n"
        ",zenith-air,,ZA-1,32,512,Silver,,1,\n"
        ",zenith-air,,ZA-2,16 GB,-1,,cheap,1,maybe\n"
        "Zenith Air Pro,zenith-air,,ZA-3,64,512,Silver,,1,\n"
        ",zenith-air,,,8,,,,,\n"
        ",zenith-air,,ZA-4,16,512,Silver,,,\n"
        "Nova,nova,700.00,TAKEN-1,,,,,,\n"
        "Nova X,nova-x,700.00,bad sku!,,,,,,\n"
    ))

    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path)

    errors = run_import.stderr.splitlines()
    assert "line 3: sku “ZA-1” is already used on line 2." in errors
    assert "line 4: ram_gb: “16 GB” value must be an integer." in errors
    assert any(e.startswith("line 4: storage_gb: ") for e in errors)
    assert any(e.startswith("line 4: variant_price: ") for e in errors)
    assert "line 4: active: “maybe” is not yes or no." in errors
    assert any(e.startswith("line 5: name: differs from line 2") for e in errors)
    assert "line 6: sku: “zenith-air” has several rows, so each needs the SKU of its variant." \
        in errors
    assert "line 7: the same options as line 2 of this product." in errors
    assert any(e.startswith("line 9: sku: A SKU is letters") for e in errors)
    assert not ProductPage.objects.exclude(pk=other.pk).exists()

    # The SKU of another product is found once the file itself is sound, in a dry run too.
    path = write_csv(tmp_path, VARIANT_HEADER + "Nova,nova,700.00,TAKEN-1,,,,,,\n")
    with pytest.raises(CommandError, match="nothing was changed"):
        run_import(path, "--dry-run")
    assert run_import.stderr.splitlines() == [
        "line 2: sku “TAKEN-1” is the SKU of a variant of another product, “Other Laptop”."
    ]
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path)
    assert not ProductPage.objects.filter(slug="nova").exists()


def test_a_variant_import_keeps_units_sold_while_it_ran(product_index, tmp_path, monkeypatch):
    product = make_product(product_index, "Orbit 13", price="499.00")
    eight, sixteen = make_variants(
        product, {"sku": "ORB-8", "stock": 3}, {"sku": "ORB-16", "stock": 5}
    )
    product.save_revision().publish()
    read_products = catalogue_csv._existing_products

    def read_then_sell(index, slugs):
        found = read_products(index, slugs)
        with transaction.atomic():  # checkouts between the import's read and its writes
            change_stock({eight.pk: 1, sixteen.pk: 2}, sign=-1, reason=StockReason.SALE)
        return found

    monkeypatch.setattr(catalogue_csv, "_existing_products", read_then_sell)

    run_import(write_csv(tmp_path, (
        "name,slug,price,sku,variant_price\n"
        "Orbit 13,orbit-13,499.00,ORB-8,\n"
        ",orbit-13,,ORB-16,599.00\n"
    )))

    assert [stock for *_, stock, _active in variants_of("orbit-13")] == [2, 3]
    assert ProductPage.objects.get(pk=product.pk).stock == 5


def queries_to_import(tmp_path, prefix, variants_each, price=600):
    """The queries an import of 5 products sold in `variants_each` configurations takes."""
    lines = [VARIANT_HEADER]
    for product in range(5):
        slug = f"{prefix.lower()}-{product}"
        lines += [
            (f"{prefix} {product},{slug},500.00," if number == 0 else f",{slug},,")
            + f"{slug}-{number},{8 * (number + 1)},512,,{price + number}.00,{price + number},\n"
            for number in range(variants_each)
        ]
    path = write_csv(tmp_path, "".join(lines), f"{prefix}-{price}.csv")
    with CaptureQueriesContext(connection) as queries:
        run_import(path)
    return len(queries.captured_queries)


def test_import_queries_do_not_grow_with_the_number_of_variants(product_index, tmp_path):
    queries_to_import(tmp_path, "warm-up", 2)  # content types and the like, cached once

    # Each product's configurations are written in bulk, when created and when updated (new
    # prices and stock counts).
    created = [queries_to_import(tmp_path, prefix, n) for prefix, n in [("A", 3), ("B", 6)]]
    updated = [queries_to_import(tmp_path, prefix, n, price=700)
               for prefix, n in [("A", 3), ("B", 6)]]

    assert created[0] == created[1]
    assert updated[0] == updated[1]
    assert ProductVariant.objects.filter(product__slug__startswith="b-").count() == 30
    assert ProductPage.objects.get(slug="b-0").stock == sum(range(700, 706))
