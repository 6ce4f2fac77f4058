"""Catalogue import and export as CSV, used by `manage.py import_products` / `export_products`.

Columns: name, slug, price, stock, tags, the spec columns brand, model, processor, ram,
storage, display, weight, any number of `feature:<label>` columns for other features, and
image: the stored file name of a picture already in the image library (what an export
writes, "original_images/x.png") or the path of an image file to add. Only name and price
are required.

Variants: the columns sku, ram_gb, storage_gb, colour, variant_price (empty: the product's
price), stock and active (yes/no) describe one configuration (products.variants). A row is
one variant; without a sku column (or with an empty SKU on a product's only row) the row is
the product's only variant, so a file of one row per product imports as it did before
variants. With a sku column a product may have several rows: the first carries the product's
details, later rows with the same slug only the variant columns (their product cells empty or
the same as on the first row). A SKU is matched shop-wide: one the product has updates that
variant, a new one adds a variant, one of another product is an error; variants missing from
the file are left as they are (set active to "no" to withdraw one).

An import is all-or-nothing: every row is validated first and, if any row is bad, the errors
are reported by line number and nothing is written; otherwise all rows are written in one
transaction. Rows are matched to existing products of the chosen index by slug (derived from
the name when the slug cell is empty): matches are updated, the rest are created. On update,
a column missing from the file leaves that field as it is; an empty cell clears it.

Imported products end up published and in the search index. New products are created live
without a revision (an editor's first save starts their history); products that already have
revisions get a new published revision, so the editor never shows stale content.
"""

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

from home.shared.spreadsheets import neutralise_formula, restore_neutralised

from .blocks import ProductSpecsBlock
from .ledger import StockReason
from .models import ProductIndexPage, ProductPage
from .options import OPTION_FIELDS
from .search_index import search_indexing_in_bulk
from .stock import (
    lock_products,
    lock_variants,
    record_initial_stock,
    set_variants_stock,
    sync_products,
)
from .variants import ProductVariant

NAME, SLUG, PRICE, STOCK, TAGS, IMAGE = "name", "slug", "price", "stock", "tags", "image"
SKU, VARIANT_PRICE, ACTIVE = "sku", "variant_price", "active"
SPEC_COLUMNS = ["brand", "model", "processor", "ram", "storage", "display", "weight"]
FEATURE_PREFIX = "feature:"
REQUIRED_COLUMNS = [NAME, PRICE]
# The columns of one variant; the others (but the slug) describe its product.
VARIANT_COLUMNS = [SKU, *OPTION_FIELDS, VARIANT_PRICE, STOCK, ACTIVE]
KNOWN_COLUMNS = {NAME, SLUG, PRICE, TAGS, IMAGE, *SPEC_COLUMNS, *VARIANT_COLUMNS}
YES, NO = "yes", "no"
ACTIVE_WORDS = {YES: True, "true": True, "1": True, NO: False, "false": False, "0": False}
# Several blocks of one kind (two storage rows, say) share one cell, joined by this.
MULTI_VALUE_SEPARATOR = "; "

SPEC_BLOCKS = ProductSpecsBlock().child_blocks
FEATURE_BLOCK = SPEC_BLOCKS["feature"]


class CatalogueInvalid(Exception):
    """The file cannot be imported; `errors` lists (line number, message) pairs."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the catalogue file")


@dataclass
class VariantRow:
    """The variant columns of one validated row; only the columns in the file are applied."""

    line: int
    sku: str = ""  # empty: the product's only variant
    options: dict = field(default_factory=dict)  # ProductVariant option field -> value
    price: Decimal | None = None
    stock: int | None = None
    active: bool = True


@dataclass
class ProductRow:
    """A product's validated CSV rows: its details (from its first row) and its variants. A
    field is None when its column is not in the file."""

    line: int
    name: str
    slug: str
    price: Decimal
    variants: list = field(default_factory=list)
    tags: list | None = None
    # Spec column -> cleaned block value, or None to remove that spec.
    specs: dict = field(default_factory=dict)
    # The stored file name of a library image (str) or an image file to add (Path).
    image: str | Path | None = None
    columns: tuple = ()
    cells: dict = field(default_factory=dict, repr=False)  # of its first row


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    images_added: int = 0
    dry_run: bool = False

    @property
    def total(self):
        return self.created + self.updated


def find_product_index(reference):
    """The product index with this slug or site path ("shop", "/shop/"), or LookupError."""
    wanted = reference.strip()
    indexes = list(ProductIndexPage.objects.order_by("path"))
    if "/" in wanted:
        wanted = "/" + wanted.strip("/") + "/"
        matches = [index for index in indexes if wanted in _paths_of(index)]
    else:
        matches = [index for index in indexes if index.slug == wanted]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{index.slug} ({_paths_of(index)[1]})" for index in indexes) or "none"
    if matches:
        raise LookupError(
            f"Several product indexes have the slug “{wanted}”; give the path instead. "
            f"Product indexes: {known}."
        )
    raise LookupError(f"No product index “{reference}”. Product indexes: {known}.")


def _paths_of(index):
    # url_path starts with the site root page's slug ("/home/shop/"); visitors see "/shop/".
    relative = index.url_path.strip("/").partition("/")[2]
    return [index.url_path, f"/{relative}/"]


# Reading and validating


def read_catalogue(lines, image_root):
    """Parse and validate CSV text lines; return ProductRows or raise CatalogueInvalid.

    `image_root` is the folder that relative image paths are resolved against. Every row is
    checked, so one run reports all the errors of a file.
    """
    library = _ImageNames()
    reader = csv.DictReader(lines)
    if reader.fieldnames:
        reader.fieldnames = [column.strip() for column in reader.fieldnames]
    errors = _header_errors(reader.fieldnames)
    if errors:
        raise CatalogueInvalid(errors)
    columns = tuple(reader.fieldnames)
    rows, products_by_slug = [], {}
    for raw in reader:
        row_line = _first_line_of(raw, reader.line_num)
        # Our exports quote formula-like cells (home/shared/spreadsheets.py); read them as typed.
        raw = {
            column: restore_neutralised(value) if isinstance(value, str) else value
            for column, value in raw.items()
        }
        try:
            cells = _cells_of(raw)
            product = products_by_slug.get(_slug_of(cells))
            if product is None:
                row = _clean_row(cells, row_line, columns, Path(image_root), library)
            elif SKU in columns:
                product.variants.append(_clean_later_row(cells, row_line, product))
                continue
            else:
                raise ValidationError(
                    f"slug “{product.slug}” is already used on line {product.line}."
                )
        except ValidationError as error:
            errors.extend((row_line, message) for message in error.messages)
            continue
        row.cells = cells
        products_by_slug[row.slug] = row
        rows.append(row)
    errors.extend(_variant_errors(rows))
    if errors:
        raise CatalogueInvalid(sorted(errors, key=lambda error: error[0]))
    return rows


def _first_line_of(raw, last_line):
    # line_num is where the record ends; a quoted cell may span several lines.
    return last_line - sum(value.count("\n") for value in raw.values() if isinstance(value, str))


def _header_errors(fieldnames):
    if not fieldnames:
        return [(1, "the file is empty; the first line must name the columns.")]
    errors = []
    for position, column in enumerate(fieldnames):
        if column in fieldnames[:position]:
            errors.append((1, f"column “{column}” appears more than once."))
        elif column.startswith(FEATURE_PREFIX):
            if not column.removeprefix(FEATURE_PREFIX):
                errors.append((1, "a feature column needs a label, for example “feature:Battery”."))
        elif column not in KNOWN_COLUMNS:
            errors.append((1, f"unknown column “{column}”."))
    errors.extend(
        (1, f"required column “{column}” is missing.")
        for column in REQUIRED_COLUMNS
        if column not in fieldnames
    )
    return errors


def _cells_of(raw):
    if None in raw:
        raise ValidationError("this row has more cells than the header has columns.")
    if None in raw.values():
        raise ValidationError("this row has fewer cells than the header has columns.")
    return {column: value.strip() for column, value in raw.items()}


def _slug_of(cells):
    return cells.get(SLUG) or slugify(
        cells[NAME], allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    )[:255]


class _Cleaner:
    """Cleans the cells of one row, collecting every message."""

    def __init__(self, cells):
        self.cells, self.messages = cells, []

    def __call__(self, column, clean):
        try:
            return clean(self.cells[column])
        except ValidationError as error:
            self.messages.extend(f"{column}: {message}" for message in error.messages)
            return None

    def done(self):
        if self.messages:
            raise ValidationError(self.messages)


def _clean_row(cells, line, columns, image_root, library):
    cleaned = _Cleaner(cells)
    name = cleaned(NAME, _clean_name)
    row = ProductRow(
        line=line,
        name=name,
        slug=cleaned(SLUG, _clean_slug)
        if cells.get(SLUG)
        else _slug_from_name(name, cleaned.messages),
        price=cleaned(PRICE, _clean_price),
        columns=columns,
    )
    row.variants.append(_clean_variant(cleaned, line, columns))
    if TAGS in columns:
        row.tags = cleaned(TAGS, _clean_tags)
    for column in columns:
        if column in SPEC_COLUMNS or column.startswith(FEATURE_PREFIX):
            row.specs[column] = cleaned(column, lambda value, c=column: _clean_spec(c, value))
    if IMAGE in columns:
        row.image = cleaned(IMAGE, lambda value: _clean_image(value, image_root, library))
    cleaned.done()
    return row


def _clean_later_row(cells, line, product):
    """A further variant of `product`: its product cells must be empty or as on its first
    row, where the product's details are read from."""
    cleaned = _Cleaner(cells)
    for column in product.columns:
        if column in VARIANT_COLUMNS or column == SLUG:
            continue
        if cells[column] and cells[column] != product.cells[column]:
            cleaned.messages.append(
                f"{column}: differs from line {product.line}; a product's details go on its "
                "first row (leave them empty on the rows of its other variants)."
            )
    variant = _clean_variant(cleaned, line, product.columns)
    cleaned.done()
    return variant


def _clean_variant(cleaned, line, columns):
    variant = VariantRow(line=line)
    if SKU in columns:
        variant.sku = cleaned(SKU, _clean_sku) or ""
    for option in OPTION_FIELDS:
        if option in columns:
            variant.options[option] = cleaned(option, _variant_field_cleaner(option))
    if VARIANT_PRICE in columns:
        variant.price = cleaned(VARIANT_PRICE, _variant_field_cleaner("price"))
    if STOCK in columns:
        variant.stock = cleaned(STOCK, _clean_stock)
    if ACTIVE in columns:
        variant.active = cleaned(ACTIVE, _clean_active)
    return variant


def _variant_errors(rows):
    """The variants of a file that contradict each other: a SKU twice, a product with several
    rows and a row without a SKU, two variants of one product with the same options."""
    errors, line_of_sku = [], {}
    for row in rows:
        line_of_options = {}
        for variant in row.variants:
            if variant.sku in line_of_sku:
                errors.append((variant.line, f"sku “{variant.sku}” is already used on line "
                                             f"{line_of_sku[variant.sku]}."))
            elif variant.sku:
                line_of_sku[variant.sku] = variant.line
            elif len(row.variants) > 1:
                errors.append((variant.line, f"sku: “{row.slug}” has several rows, so each "
                                             "needs the SKU of its variant."))
            options = tuple(variant.options.get(option) for option in OPTION_FIELDS)
            if variant.options and options in line_of_options:
                errors.append((variant.line, "the same options as line "
                                             f"{line_of_options[options]} of this product."))
            line_of_options.setdefault(options, variant.line)
    return errors


def _model_field_cleaner(name):
    model_field = ProductPage._meta.get_field(name)
    return lambda value: model_field.clean(value, None)


_clean_name = _model_field_cleaner("title")
_clean_slug = _model_field_cleaner("slug")
_clean_stock_count = _model_field_cleaner("stock")
_clean_price_amount = _model_field_cleaner("price")


def _variant_field_cleaner(name):
    model_field = ProductVariant._meta.get_field(name)
    return lambda value: model_field.clean(value, None) if value else model_field.get_default()


def _clean_sku(value):
    return _variant_field_cleaner("sku")(value)


def _clean_active(value):
    if not value:
        return True
    if value.lower() not in ACTIVE_WORDS:
        raise ValidationError(f"“{value}” is not {YES} or {NO}.")
    return ACTIVE_WORDS[value.lower()]


def _clean_price(value):
    if not value:
        raise ValidationError("This field cannot be blank.")
    return _clean_price_amount(value)


def _slug_from_name(name, messages):
    slug = slugify(name or "", allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True))
    if name and not slug:
        messages.append("slug: cannot be made from the name; fill in the slug column.")
    return slug[:255]


def _clean_stock(value):
    return _clean_stock_count(value) if value else None


def _clean_tags(value):
    tags = parse_tags(value)
    max_length = Tag._meta.get_field("name").max_length
    too_long = [tag for tag in tags if len(tag) > max_length]
    if too_long:
        raise ValidationError(f"tag “{too_long[0]}” is longer than {max_length} characters.")
    return tags


def _clean_spec(column, value):
    """The block value for a spec cell, validated by the same block the editor uses."""
    if not value:
        return None
    if column in SPEC_COLUMNS:
        return SPEC_BLOCKS[column].clean(value)
    label = FEATURE_BLOCK.child_blocks["label_text"].clean(column.removeprefix(FEATURE_PREFIX))
    return {
        "label_text": label,
        "value_text": FEATURE_BLOCK.child_blocks["value_text"].clean(value),
    }


class _ImageNames:
    """The stored file names of the image library, read once when first needed."""

    @cached_property
    def names(self):
        return set(get_image_model().objects.values_list("file", flat=True))

    def __contains__(self, name):
        return name in self.names


def _clean_image(value, image_root, library):
    if not value:
        return None
    if value in library:
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = image_root / path
    if not path.is_file():
        raise ValidationError(f"no image file at {path}.")
    allowed = getattr(settings, "WAGTAILIMAGES_EXTENSIONS", ["gif", "jpg", "jpeg", "png", "webp"])
    if path.suffix.lower().lstrip(".") not in allowed:
        raise ValidationError(f"{path.name} is not one of the image types {', '.join(allowed)}.")
    try:
        with PillowImage.open(path) as picture:
            picture.size  # noqa: B018 - reading the header is the check
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError(f"{path.name} is not a readable image.") from error
    return path.resolve()


# Importing


def plan_import(rows, index):
    """What an import would do, without writing anything (the dry run); raises
    CatalogueInvalid for rows the catalogue refuses (a SKU of another product, say)."""
    catalogue = _Catalogue(index, rows)
    catalogue.check(rows)
    updated = sum(row.slug in catalogue.products for row in rows)
    return ImportSummary(created=len(rows) - updated, updated=updated, dry_run=True)


def import_catalogue(rows, index, progress=None):
    """Create or update the products of `rows` and their variants under `index` in one
    transaction.

    `progress(done, total)` is called after each product. Rows the catalogue refuses (a SKU of
    another product, a stock count for a product sold in several configurations without SKUs)
    raise CatalogueInvalid before anything is written; a row that the database refuses after
    that (a slug taken by a page created meanwhile, say) raises it too and the whole import is
    rolled back. The queries per product do not grow with its number of variants.
    """
    summary = ImportSummary()
    images = _ImageLibrary()
    try:
        with transaction.atomic(), search_indexing_in_bulk(ProductPage) as imported:
            catalogue = _Catalogue(index, rows)
            catalogue.check(rows)
            for done, row in enumerate(rows, start=1):
                page = catalogue.products.get(row.slug)
                try:
                    if page is None:
                        imported.append(_create_product(index, row, images))
                        summary.created += 1
                    else:
                        imported.append(
                            _update_product(page, row, images, catalogue.variants[page.pk])
                        )
                        summary.updated += 1
                except ValidationError as error:
                    errors = [(row.line, message) for message in error.messages]
                    raise CatalogueInvalid(errors) from error
                except IntegrityError as error:
                    # A SKU made for a variant without one that a later row of the file names.
                    raise CatalogueInvalid([(row.line, f"the database refused it: {error}")]) \
                        from error
                if progress:
                    progress(done, len(rows))
    except BaseException:
        # The rollback forgets the new images' rows; their files must go too.
        images.delete_added_files()
        raise
    summary.images_added = len(images.added)
    return summary


class _Catalogue:
    """What the shop already holds of a file's products and SKUs, read in a few queries."""

    def __init__(self, index, rows):
        self.products = _existing_products(index, [row.slug for row in rows])
        self.variants = {page.pk: [] for page in self.products.values()}
        for variant in _in_batches(
            ProductVariant.objects.order_by("sort_order", "pk"),
            "product_id__in", list(self.variants),
        ):
            self.variants[variant.product_id].append(variant)
        skus = [variant.sku for row in rows for variant in row.variants if variant.sku]
        self.owner_of_sku = {
            sku: (product_id, title)
            for sku, product_id, title in _in_batches(
                ProductVariant.objects.values_list("sku", "product_id", "product__title"),
                "sku__in", skus,
            )
        }

    def check(self, rows):
        """Raise CatalogueInvalid, by line, for the rows the shop's variants contradict."""
        errors = []
        for row in rows:
            page = self.products.get(row.slug)
            for variant in row.variants:
                product_id, title = self.owner_of_sku.get(variant.sku, (None, ""))
                if product_id is not None and (page is None or page.pk != product_id):
                    errors.append((variant.line, f"sku “{variant.sku}” is the SKU of a variant "
                                                 f"of another product, “{title}”."))
            sold_in = len(self.variants.get(page.pk, [])) if page else 0
            if sold_in > 1 and _sets_the_only_variant(row):
                errors.append((row.line, f"“{page.title}” is sold in {sold_in} configurations: "
                                         "give each its own row, with its SKU in a sku column."))
        if errors:
            raise CatalogueInvalid(errors)


def _sets_the_only_variant(row):
    """Whether the row writes variant columns without naming a variant by SKU."""
    [first, *others] = row.variants
    return not others and not first.sku and any(
        column in VARIANT_COLUMNS for column in row.columns if column != SKU
    )


def _in_batches(queryset, lookup, values, batch_size=500):
    """The rows of queryset whose `lookup` is one of `values`, queried in batches: SQLite caps
    the number of parameters in one query."""
    for start in range(0, len(values), batch_size):
        yield from queryset.filter(**{lookup: values[start : start + batch_size]})


def _existing_products(index, slugs):
    """Products of index with the given slugs, by slug."""
    children = ProductPage.objects.child_of(index)
    return {page.slug: page for page in _in_batches(children, "slug__in", slugs)}


def _create_product(index, row, images):
    now = timezone.now()
    first, *others = row.variants
    page = ProductPage(
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        price=row.price,
        stock=first.stock,
    )
    _apply_row(page, row, images)
    # The first variant is saved with the page (a product always has one), the others after
    # it in one query.
    page.variants = [_variant_from(first, row.columns, sort_order=0)]
    index.add_child(instance=page)  # Page.save logs the creation in the page history
    if others:
        ProductVariant.objects.bulk_create(
            _variant_from(variant, row.columns, sort_order=number, product=page)
            for number, variant in enumerate(others, start=1)
        )
        sync_products([page.pk])
    record_initial_stock(page, reason=StockReason.IMPORT)
    return page


def _variant_from(variant, columns, **fields):
    made = ProductVariant(sku=variant.sku, stock=variant.stock, **fields)
    _apply_variant(made, variant, columns)
    return made


def _apply_variant(made, variant, columns):
    """Set the fields of `made` the file has columns for; return their names."""
    fields = dict(variant.options)
    if VARIANT_PRICE in columns:
        fields["price"] = variant.price
    if ACTIVE in columns:
        fields["active"] = variant.active
    for name, value in fields.items():
        setattr(made, name, value)
    return list(fields)


def _update_product(page, row, images, variants):
    _apply_row(page, row, images)
    page.price = row.price
    # Saving writes the total back: take the one checkout may have changed since the page was
    # read, under the row lock checkout takes too. The variants are written before the page,
    # whose save then recomputes the total and the price range.
    page.stock = lock_products([page.pk])[page.pk].stock
    _update_variants(page, row, variants)
    page.live = True
    page.last_published_at = timezone.now()
    page.save()
    if page.latest_revision_id:
        # Editors open the latest revision: publish one that holds the imported values and
        # variants (an older one would take the new variants away when published).
        page.save_revision(log_action=True).publish()
    return page


def _update_variants(page, row, variants):
    """Update the product's variants the rows name by SKU (or its only one), add the others,
    and set the stock of those the file counts, in a few queries for any number."""
    by_sku = {variant.sku: variant for variant in variants}
    matched, added = [], []
    for variant in row.variants:
        if variant.sku in by_sku:
            matched.append((by_sku[variant.sku], variant))
        elif not variant.sku:
            # The product's only variant; check() refused variant columns for one of several.
            if len(variants) == 1:
                matched.append((variants[0], variant))
        else:
            added.append(variant)
    if matched:
        locked = lock_variants([made.pk for made, _variant in matched])
        changed, fields = [], set()
        for made, variant in matched:
            fields.update(_apply_variant(locked[made.pk], variant, row.columns))
            changed.append(locked[made.pk])
        if fields:
            ProductVariant.objects.bulk_update(changed, sorted(fields))
        if STOCK in row.columns:
            set_variants_stock(
                {made.pk: variant.stock for made, variant in matched}, reason=StockReason.IMPORT
            )
    if added:
        start = max((variant.sort_order or 0 for variant in variants), default=-1) + 1
        new = ProductVariant.objects.bulk_create(
            _variant_from(variant, row.columns, sort_order=number, product=page)
            for number, variant in enumerate(added, start=start)
        )
        record_initial_stock(
            page, reason=StockReason.IMPORT, variant_ids=[variant.pk for variant in new]
        )


def _apply_row(page, row, images):
    page.title = page.draft_title = row.name
    page.slug = row.slug
    if TAGS in row.columns:
        page.tags.set(row.tags)
    if row.specs:
        page.features = merged_features(page.features, row.specs)
    if IMAGE in row.columns:
        page.image = images.image_for(row.image, row.name)


def merged_features(features, specs):
    """Stream data for `features` with the spec columns of a row applied.

    A spec in `specs` replaces the blocks of its kind where the first of them stood (or is
    removed when its value is None); new specs go at the end in column order; blocks of kinds
    the file has no column for are kept as they are.
    """
    merged, placed = [], set()
    for child in features:
        column = _column_for(child.block_type, child.value)
        if column not in specs:
            merged.append((child.block_type, child.value))
        elif column not in placed:
            placed.add(column)
            if specs[column] is not None:
                merged.append(_block_for(column, specs[column]))
    merged.extend(
        _block_for(column, value)
        for column, value in specs.items()
        if column not in placed and value is not None
    )
    return merged


def _column_for(block_type, value):
    if block_type == "feature":
        return f"{FEATURE_PREFIX}{value['label_text']}"
    return block_type


def _block_for(column, value):
    return ("feature", value) if column.startswith(FEATURE_PREFIX) else (column, value)


class _ImageLibrary:
    """Wagtail images for import rows: library images by stored name, files by content. A
    file whose content is already in the library is reused, not uploaded again."""

    def __init__(self):
        self.by_source = {}
        self.added = []
        self.Image = get_image_model()

    def image_for(self, source, title):
        if source is None:
            return None
        if source not in self.by_source:
            if isinstance(source, Path):
                self.by_source[source] = self._find_or_add(source, title)
            else:
                self.by_source[source] = self.Image.objects.filter(file=source).first()
        return self.by_source[source]

    def _find_or_add(self, path, title):
        with path.open("rb") as file:
            file_hash = hash_filelike(file)
            image = self.Image.objects.filter(file_hash=file_hash).first()
            if image is None:
                image = self.Image(
                    title=title, file_hash=file_hash, file_size=path.stat().st_size
                )
                image.file = ImageFile(file, name=path.name)
                image.save()
                self.added.append(image)
        return image

    def delete_added_files(self):
        for image in self.added:
            image.file.storage.delete(image.file.name)


# Exporting


def export_catalogue(index, out):
    """Write the live products of `index` as CSV in the import format, one row per variant
    (the product's details on the row of its first); return the number of products.

    Images are written as the stored file names of their library images, which the import
    recognises, so an export imported back (into any index) reuses the same pictures.
    """
    products = (
        ProductPage.objects.child_of(index)
        .live()
        .order_by("path")
        .select_related("image")
        .prefetch_related(
            "tagged_items__tag",
            Prefetch("variants", queryset=ProductVariant.objects.order_by("sort_order", "pk")),
        )
    )
    records, feature_columns, count = [], {}, 0
    for product in products.iterator(chunk_size=500):
        count += 1
        record = {
            NAME: product.title,
            SLUG: product.slug,
            PRICE: f"{product.price:.2f}",
            TAGS: edit_string_for_tags([item.tag for item in product.tagged_items.all()]),
            IMAGE: product.image.file.name if product.image else "",
        }
        for column, text in _spec_cells(product.features).items():
            record[column] = text
            if column.startswith(FEATURE_PREFIX):
                feature_columns.setdefault(column, None)
        for number, variant in enumerate(product.variants.all()):
            records.append({**(record if number == 0 else {SLUG: product.slug}),
                            **_variant_cells(variant)})
    fieldnames = [
        NAME, SLUG, PRICE, *VARIANT_COLUMNS, TAGS, *SPEC_COLUMNS, *feature_columns, IMAGE
    ]
    # Lines end in CRLF (RFC 4180) so that the csv module quotes a cell holding a lone CR.
    writer = csv.DictWriter(out, fieldnames=fieldnames, restval="")
    writer.writeheader()
    writer.writerows(
        {column: neutralise_formula(text) for column, text in record.items()}
        for record in records
    )
    return count


def _variant_cells(variant):
    cells = {SKU: variant.sku, ACTIVE: YES if variant.active else NO}
    for column, value in [
        *((option, getattr(variant, option)) for option in OPTION_FIELDS),
        (VARIANT_PRICE, None if variant.price is None else f"{variant.price:.2f}"),
        (STOCK, variant.stock),
    ]:
        cells[column] = "" if value is None else str(value)
    return cells


def _spec_cells(features):
    cells = {}
    for child in features:
        column = _column_for(child.block_type, child.value)
        text = child.value["value_text"] if child.block_type == "feature" else str(child.value)
        cells[column] = f"{cells[column]}{MULTI_VALUE_SEPARATOR}{text}" if column in cells else text
    return cells
