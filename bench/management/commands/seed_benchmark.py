from django.core.management.base import BaseCommand, CommandError

from bench.catalogue import seed_catalogue


class Command(BaseCommand):
    help = "Load the demo shop and top the catalogue up to --products live products."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=1000)

    def handle(self, *args, products, **options):
        if products < 1:
            raise CommandError("--products must be a positive number of products.")
        added = seed_catalogue(products, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Benchmark catalogue ready: {added} product(s) added.")
        )
