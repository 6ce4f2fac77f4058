from io import StringIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from products.catalogue_csv import export_catalogue, find_product_index


class Command(BaseCommand):
    help = (
        "Write the live products of a product index as CSV, in the format import_products "
        "reads, so an export can be edited and imported back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--index",
            required=True,
            help="Slug or path of the product index to export, for example shop or /shop/.",
        )
        parser.add_argument(
            "--output", type=Path, help="File to write (default: standard output)."
        )

    def handle(self, *args, index, output, **options):
        try:
            product_index = find_product_index(index)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if output is None:
            buffer = StringIO()
            export_catalogue(product_index, buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = export_catalogue(product_index, out)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {count} product(s) from “{product_index.title}” to {output}."
            )
        )
