"""Search indexing for many products at once (catalogue imports, the benchmark's seeding)."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch.backends import get_search_backend
from modelsearch.signal_handlers import post_save_signal_handler


@contextmanager
def search_indexing_in_bulk(model):
    """Index the `model` objects saved inside the block together, when it ends without error.

    Yields a list: append each object saved. One batch instead of an update per object
    matters: for every update, PostgreSQL's search backend re-reads the whole index to
    normalise title lengths, so saving 10,000 products one by one slows down as they add up.
    """
    post_save.disconnect(post_save_signal_handler, sender=model)
    saved = []
    try:
        yield saved
    finally:
        post_save.connect(post_save_signal_handler, sender=model)
    get_search_backend().add_bulk(model, saved)
