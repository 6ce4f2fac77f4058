"""How long a catalogue import takes at scale: `python -m bench.import_catalogue`.

    python -m bench.import_catalogue                       # 10,000 products, 30,000 variants
    python -m bench.import_catalogue --products 500 --variants-each 2 --database /tmp/i.sqlite3

Migrates a new SQLite database (a temporary file unless --database names one) with the
development settings, loads the demo shop for its product index, then writes a generated
catalogue CSV of `--products` products sold in `--variants-each` configurations each and times:
reading and validating it, importing it (every product created), importing it again with new
prices and stock counts (every product and variant updated), and exporting the index. Prints
the seconds and the SQL queries per product of each step.
"""

import argparse
import logging
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path


def parse_options(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_catalogue", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--products", type=int, default=10_000, help="products (10000)")
    parser.add_argument(
        "--variants-each", type=int, default=3, help="configurations per product (3)"
    )
    parser.add_argument("--database", type=Path, help="SQLite file to create (default: temp)")
    return parser.parse_args(argv)


HEADER = (
    "name,slug,price,sku,ram_gb,storage_gb,colour,variant_price,stock,active,tags,brand,"
    "model,processor,ram,storage,display,weight\n"
)
COLOURS = ["Silver", "Graphite", "Blue"]


def catalogue_csv(products, variants_each, price_step=0):
    """A catalogue in the import format: the product's details on its first row only."""
    lines = [HEADER]
    for number in range(products):
        slug = f"bench-import-{number:05}"
        details = (
            f"Bench Import {number:05},{slug},{500 + number % 900 + price_step}.00"
        )
        specs = f'"business, student",Acme,M{number:05},Intel Core Ultra 7,16,512 GB SSD,' \
                f'"14"" 1920x1200",1.40'
        for variant in range(variants_each):
            first = variant == 0
            lines.append(
                (details if first else f",{slug},")
                + f",{slug.upper()}-{variant},{8 << variant},{512 << variant},"
                f"{COLOURS[variant % len(COLOURS)]},"
                + ("" if first else f"{600 + 100 * variant + price_step}.00")
                + f",{(number + variant + price_step) % 40},yes,"
                + (specs if first else ",,,,,,,")
                + "\n"
            )
    return "".join(lines)


def timed(label, products, step, log):
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    log(f"{label:<28} {seconds:8.1f} s  {queries:>9,} queries  {queries / products:6.1f} "
        "per product")
    return result


def main(argv=None):
    options = parse_options(argv)
    folder = tempfile.TemporaryDirectory(prefix="bench-import-")
    database = options.database or Path(folder.name) / "import.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(Path(folder.name) / "media"),
    )
    for name in ("REDIS_URL", "SEARCH_URL", "SEARCH_BACKEND", "TASKS_BACKEND"):
        os.environ.pop(name, None)

    import django

    django.setup()
    logging.getLogger("wagtail").setLevel(logging.WARNING)  # no line per page created
    from django.core.management import call_command

    from products.catalogue_csv import export_catalogue, import_catalogue, read_catalogue
    from products.models import ProductIndexPage
    from products.variants import ProductVariant

    print(f"Migrating and seeding the demo shop in {database} ...", file=sys.stderr)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    index = ProductIndexPage.objects.live().order_by("path").first()
    total = options.products
    variants = total * options.variants_each
    print(f"Catalogue import: {total:,} products, {variants:,} variants, SQLite")

    def read(text):
        return read_catalogue(StringIO(text), folder.name)

    text = catalogue_csv(total, options.variants_each)
    rows = timed("read and validate", total, lambda: read(text), print)
    timed("import (all created)", total, lambda: import_catalogue(rows, index), print)
    text = catalogue_csv(total, options.variants_each, price_step=1)
    rows = read(text)
    timed("import again (all updated)", total, lambda: import_catalogue(rows, index), print)
    timed("export", total, lambda: export_catalogue(index, StringIO()), print)
    imported = ProductVariant.objects.filter(sku__startswith="BENCH-IMPORT-").count()
    if imported != variants:
        print(f"Expected {variants} imported variants, found {imported}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
