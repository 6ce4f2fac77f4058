from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's management commands; installed only by bench/settings.py."""

    name = "bench"
    verbose_name = "Benchmark"
