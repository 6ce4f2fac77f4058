"""Search indexing for many products at once (catalogue imports, the benchmark's seeding)."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch.backends import get_search_backend
from modelsearch.signal_handlers import post_save_signal_handler

BATCH_SIZE = 500


class _Batches:
    """Objects waiting to be indexed, sent to the search backend `batch_size` at a time."""

    def __init__(self, model, batch_size):
        self.model, self.batch_size, self.waiting = model, batch_size, []

    def append(self, obj):
        self.waiting.append(obj)
        if len(self.waiting) >= self.batch_size:
            self.flush()

    def flush(self):
        if self.waiting:
            get_search_backend().add_bulk(self.model, self.waiting)
            self.waiting = []


@contextmanager
def search_indexing_in_bulk(model, batch_size=None):
    """Index the `model` objects saved inside the block in batches instead of one by one.

    Yields a list-like: append each object saved. Batches matter: for every update,
    PostgreSQL's search backend re-reads the whole index to normalise title lengths, so saving
    10,000 products one by one slows down as they add up. Objects still waiting when the
    block fails are not indexed (batches already sent roll back with the caller's transaction).
    """
    post_save.disconnect(post_save_signal_handler, sender=model)
    batches = _Batches(model, batch_size or BATCH_SIZE)
    try:
        yield batches
    finally:
        post_save.connect(post_save_signal_handler, sender=model)
    batches.flush()
