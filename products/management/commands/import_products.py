from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from products.catalogue_csv import (
    CatalogueInvalid,
    find_product_index,
    import_catalogue,
    plan_import,
    read_catalogue,
)


class Command(BaseCommand):
    help = (
        "Create or update products from a CSV file under a product index, matched by slug. "
        "All or nothing: every row is checked first; if any row is bad, the errors are listed "
        "by line and nothing is imported. Otherwise all rows are written in one transaction "
        "and the products are published. Columns: name, price (required), slug, tags, brand, "
        "model, processor, ram, storage, display, weight, feature:<label>, image, and per "
        "variant sku, ram_gb, storage_gb, colour, variant_price, stock, active: one row per "
        "variant, the product's details on its first row."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path, help="UTF-8 CSV file, first line the header.")
        parser.add_argument(
            "--index",
            required=True,
            help="Slug or path of the product index to import into, for example shop or /shop/.",
        )
        parser.add_argument(
            "--images",
            type=Path,
            help="Folder that relative image paths are read from (default: the CSV's folder).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without changing anything.",
        )

    def handle(self, *args, csv_file, index, images, dry_run, **options):
        try:
            product_index = find_product_index(index)
        except LookupError as error:
            raise CommandError(str(error)) from error
        rows = self.read(csv_file, images or csv_file.parent)
        if dry_run:
            try:
                plan = plan_import(rows, product_index)
            except CatalogueInvalid as invalid:
                self.report(invalid.errors)
                raise CommandError("Dry run: the file has errors; nothing was changed.") \
                    from invalid
            self.stdout.write(
                f"Dry run: {plan.created} product(s) would be created and {plan.updated} "
                f"updated in “{product_index.title}”. Nothing was changed."
            )
            return
        progress = ProgressBar(self.stdout)
        try:
            summary = import_catalogue(rows, product_index, progress=progress)
        except CatalogueInvalid as invalid:
            progress.abandon()
            self.report(invalid.errors)
            raise CommandError("The import was rolled back; nothing was imported.") from invalid
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.total} product(s) into “{product_index.title}”: "
                f"{summary.created} created, {summary.updated} updated, "
                f"{summary.images_added} new image(s)."
            )
        )

    def read(self, csv_file, image_root):
        try:
            with csv_file.open(encoding="utf-8-sig", newline="") as lines:
                return read_catalogue(lines, image_root)
        except OSError as error:
            raise CommandError(f"Cannot read {csv_file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{csv_file} is not UTF-8 text; save it as UTF-8 CSV.") from error
        except CatalogueInvalid as invalid:
            self.report(invalid.errors)
            lines = len({line for line, _message in invalid.errors})
            raise CommandError(
                f"{lines} line(s) of {csv_file} have errors; nothing was imported."
            ) from invalid

    def report(self, errors):
        for line, message in errors:
            self.stderr.write(f"line {line}: {message}")


class ProgressBar:
    """A one-line text progress bar, redrawn when the percentage changes."""

    WIDTH = 30

    def __init__(self, out):
        self.out = out
        self.shown = None

    def __call__(self, done, total):
        percent = done * 100 // total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.out.write(f"\r[{bar}] {percent:3d}% {done}/{total}", ending="")
        if done == total:
            self.out.write("")
        self.out.flush()

    def abandon(self):
        if self.shown is not None:
            self.out.write("")
