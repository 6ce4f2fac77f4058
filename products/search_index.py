"""Search indexing for many products at once (catalogue imports, the benchmark's seeding)."""

from contextlib import contextmanager

from django.db.models.signals import post_save
from modelsearch.backends import get_search_backend
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    ObjectIndexer,
    PostgresSearchBackend,
)
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.signal_handlers import post_save_signal_handler
from modelsearch.utils import get_content_type_pk

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
            add_to_index(self.model, self.waiting)
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


def add_to_index(model, objs):
    """Index `objs` as the search backend's add_bulk does.

    On PostgreSQL the rows are the ones the backend writes, built faster: it reads every search
    field of a product five times (once for each column of the entry) and builds an ORM
    expression per value, which made indexing most of the time of seeding 100,000 products;
    here each field is read once and the vectors are written as plain SQL.
    """
    backend = get_search_backend()
    if not isinstance(backend, PostgresSearchBackend) or not objs:
        backend.add_bulk(model, objs)
        return
    index = backend.get_index_for_model(model)
    content_type_pk = get_content_type_pk(model)
    rows, params = [], []
    for obj in objs:
        title, body, autocomplete = _texts(ObjectIndexer(obj, backend), obj)
        title_sql, title_params = _vector(title, backend.config)
        body_sql, body_params = _vector(body, backend.config)
        autocomplete_sql, autocomplete_params = _vector(autocomplete, backend.autocomplete_config)
        rows.append(f"(%s, %s, {title_sql}, {autocomplete_sql}, {body_sql}, 1.0, %s, %s)")
        params += [content_type_pk, str(obj.pk), *title_params, *autocomplete_params,
                   *body_params, _plain(title), _plain(body)]
    with index.write_connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {IndexEntry._meta.db_table}
                (content_type_id, object_id, title, autocomplete, body, title_norm,
                 title_text, body_text)
            VALUES {", ".join(rows)}
            ON CONFLICT (content_type_id, object_id)
            DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0,
                          autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                          title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
            """,
            params,
        )
    index._refresh_title_norms()


def _texts(indexer, obj):
    """The (text, weight) pairs of the entry's title, body and autocomplete columns, sorted
    into them as the backend's ObjectIndexer does, each search field read once."""
    title, body, autocomplete = [], [], []
    for field in indexer.search_fields:
        for current, weight, value in indexer.prepare_field(obj, field):
            text = value.strip()
            if not text:
                continue
            if isinstance(current, SearchField):
                (title if current.field_name == "title" else body).append((text, weight))
            elif isinstance(current, AutocompleteField):
                autocomplete.append((text, weight))
    return title, body, autocomplete


def _vector(texts, config):
    """SQL for the tsvector Django's SearchVector(..., weight=, config=) values add up to."""
    if not texts:
        return "to_tsvector(%s)", [""]
    to_tsvector = "to_tsvector(%s::regconfig, %s)" if config else "to_tsvector(%s)"
    sql = " || ".join(f"setweight({to_tsvector}, %s)" for _text in texts)
    params = []
    for text, weight in texts:
        params += [config, text, weight] if config else [text, weight]
    return f"({sql})", params


def _plain(texts):
    return " ".join(text for text, _weight in texts)
