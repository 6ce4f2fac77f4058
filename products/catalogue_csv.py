"""Catalogue import and export as CSV, used by `manage.py import_products` / `export_products`.

Columns: name, slug, price, stock, tags, the spec columns brand, model, processor, ram,
storage, display, weight, any number of `feature:<label>` columns for other features, and
image: the stored file name of a picture already in the image library (what an export
writes, "original_images/x.png") or the path of an image file to add. Only name and price
are required.

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
from django.db import transaction
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
from .search_index import search_indexing_in_bulk
from .stock import lock_products, record_initial_stock, set_stock

NAME, SLUG, PRICE, STOCK, TAGS, IMAGE = "name", "slug", "price", "stock", "tags", "image"
SPEC_COLUMNS = ["brand", "model", "processor", "ram", "storage", "display", "weight"]
FEATURE_PREFIX = "feature:"
REQUIRED_COLUMNS = [NAME, PRICE]
KNOWN_COLUMNS = {NAME, SLUG, PRICE, STOCK, TAGS, IMAGE, *SPEC_COLUMNS}
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
class ProductRow:
    """One validated CSV row. A field is None when its column is not in the file."""

    line: int
    name: str
    slug: str
    price: Decimal
    stock: int | None = None
    tags: list | None = None
    # Spec column -> cleaned block value, or None to remove that spec.
    specs: dict = field(default_factory=dict)
    # The stored file name of a library image (str) or an image file to add (Path).
    image: str | Path | None = None
    columns: tuple = ()


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
    rows, first_line_of_slug = [], {}
    for raw in reader:
        row_line = _first_line_of(raw, reader.line_num)
        # Our exports quote formula-like cells (home/shared/spreadsheets.py); read them as typed.
        raw = {
            column: restore_neutralised(value) if isinstance(value, str) else value
            for column, value in raw.items()
        }
        try:
            row = _clean_row(raw, row_line, columns, Path(image_root), library)
        except ValidationError as error:
            errors.extend((row_line, message) for message in error.messages)
            continue
        if row.slug in first_line_of_slug:
            errors.append(
                (row_line, f"slug “{row.slug}” is already used on line "
                           f"{first_line_of_slug[row.slug]}.")
            )
            continue
        first_line_of_slug[row.slug] = row_line
        rows.append(row)
    if errors:
        raise CatalogueInvalid(errors)
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


def _clean_row(raw, line, columns, image_root, library):
    if None in raw:
        raise ValidationError("this row has more cells than the header has columns.")
    if None in raw.values():
        raise ValidationError("this row has fewer cells than the header has columns.")
    cells = {column: value.strip() for column, value in raw.items()}
    messages = []

    def cleaned(column, clean):
        try:
            return clean(cells[column])
        except ValidationError as error:
            messages.extend(f"{column}: {message}" for message in error.messages)
            return None

    name = cleaned(NAME, _clean_name)
    row = ProductRow(
        line=line,
        name=name,
        slug=cleaned(SLUG, _clean_slug) if cells.get(SLUG) else _slug_from_name(name, messages),
        price=cleaned(PRICE, _clean_price),
        columns=columns,
    )
    if STOCK in columns:
        row.stock = cleaned(STOCK, _clean_stock)
    if TAGS in columns:
        row.tags = cleaned(TAGS, _clean_tags)
    for column in columns:
        if column in SPEC_COLUMNS or column.startswith(FEATURE_PREFIX):
            row.specs[column] = cleaned(column, lambda value, c=column: _clean_spec(c, value))
    if IMAGE in columns:
        row.image = cleaned(IMAGE, lambda value: _clean_image(value, image_root, library))
    if messages:
        raise ValidationError(messages)
    return row


def _model_field_cleaner(name):
    model_field = ProductPage._meta.get_field(name)
    return lambda value: model_field.clean(value, None)


_clean_name = _model_field_cleaner("title")
_clean_slug = _model_field_cleaner("slug")
_clean_stock_count = _model_field_cleaner("stock")
_clean_price_amount = _model_field_cleaner("price")


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
    """What an import would do, without writing anything (the dry run)."""
    existing = _existing_products(index, [row.slug for row in rows])
    updated = sum(row.slug in existing for row in rows)
    return ImportSummary(created=len(rows) - updated, updated=updated, dry_run=True)


def import_catalogue(rows, index, progress=None):
    """Create or update the products of `rows` under `index` in one transaction.

    `progress(done, total)` is called after each row. A row that the database refuses after
    validation (a slug taken by a page created meanwhile, say) raises CatalogueInvalid and
    the whole import is rolled back.
    """
    summary = ImportSummary()
    images = _ImageLibrary()
    try:
        with transaction.atomic(), search_indexing_in_bulk(ProductPage) as imported:
            existing = _existing_products(index, [row.slug for row in rows])
            for done, row in enumerate(rows, start=1):
                page = existing.get(row.slug)
                try:
                    if page is None:
                        imported.append(_create_product(index, row, images))
                        summary.created += 1
                    else:
                        imported.append(_update_product(page, row, images))
                        summary.updated += 1
                except ValidationError as error:
                    errors = [(row.line, message) for message in error.messages]
                    raise CatalogueInvalid(errors) from error
                if progress:
                    progress(done, len(rows))
    except BaseException:
        # The rollback forgets the new images' rows; their files must go too.
        images.delete_added_files()
        raise
    summary.images_added = len(images.added)
    return summary


def _existing_products(index, slugs, batch_size=500):
    """Products of index with the given slugs, by slug (queried in batches: SQLite caps the
    number of parameters in one query)."""
    found = {}
    children = ProductPage.objects.child_of(index)
    for start in range(0, len(slugs), batch_size):
        for page in children.filter(slug__in=slugs[start : start + batch_size]):
            found[page.slug] = page
    return found


def _create_product(index, row, images):
    now = timezone.now()
    page = ProductPage(
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        price=row.price,
        stock=row.stock,
    )
    _apply_row(page, row, images)
    index.add_child(instance=page)  # Page.save logs the creation in the page history
    record_initial_stock(page, reason=StockReason.IMPORT)
    return page


def _update_product(page, row, images):
    _apply_row(page, row, images)
    page.price = row.price
    # Saving writes the count back: take the one checkout may have changed since the page was
    # read, under the row lock checkout takes too. A stock column sets it as the editor does.
    page.stock = lock_products([page.pk])[page.pk].stock
    if STOCK in row.columns:
        set_stock(page.pk, row.stock, reason=StockReason.IMPORT)
        page.stock = row.stock
    page.live = True
    page.last_published_at = timezone.now()
    page.save()
    if page.latest_revision_id:
        # Editors open the latest revision: publish one that holds the imported values.
        page.save_revision(log_action=True).publish()
    return page


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
    """Write the live products of `index` as CSV in the import format; return the count.

    Images are written as the stored file names of their library images, which the import
    recognises, so an export imported back (into any index) reuses the same pictures.
    """
    products = (
        ProductPage.objects.child_of(index)
        .live()
        .order_by("path")
        .select_related("image")
        .prefetch_related("tagged_items__tag")
    )
    records, feature_columns = [], {}
    for product in products.iterator(chunk_size=500):
        record = {
            NAME: product.title,
            SLUG: product.slug,
            PRICE: f"{product.price:.2f}",
            STOCK: "" if product.stock is None else str(product.stock),
            TAGS: edit_string_for_tags([item.tag for item in product.tagged_items.all()]),
            IMAGE: product.image.file.name if product.image else "",
        }
        for column, text in _spec_cells(product.features).items():
            record[column] = text
            if column.startswith(FEATURE_PREFIX):
                feature_columns.setdefault(column, None)
        records.append(record)
    fieldnames = [NAME, SLUG, PRICE, STOCK, TAGS, *SPEC_COLUMNS, *feature_columns, IMAGE]
    # Lines end in CRLF (RFC 4180) so that the csv module quotes a cell holding a lone CR.
    writer = csv.DictWriter(out, fieldnames=fieldnames, restval="")
    writer.writeheader()
    writer.writerows(
        {column: neutralise_formula(text) for column, text in record.items()}
        for record in records
    )
    return len(records)


def _spec_cells(features):
    cells = {}
    for child in features:
        column = _column_for(child.block_type, child.value)
        text = child.value["value_text"] if child.block_type == "feature" else str(child.value)
        cells[column] = f"{cells[column]}{MULTI_VALUE_SEPARATOR}{text}" if column in cells else text
    return cells
