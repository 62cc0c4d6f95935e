"""2.2.1 Locations as JSON bytes: rendered once per change, then served from the cache.

`location_documents(database, caches, keys)` answers the documents of the sites whose keys
(id and stamp, from `shared.store.hot_reads`) it is given: a kept rendering whose stamp is
the key's is current (the writers bump it with
every change the document shows, see `shared.store.location_reads`); the others are loaded
together (`get_site_views_by_id`), rendered and kept.

A rendering is kept under the stamp of the key that asked for it. The rows it is built from
are read after that key (in a later snapshot), so they are as new as the stamp or newer,
never older: a kept document is never staler than its stamp says; at worst it is rendered
once more.

In `validate` mode (tests) each rendering is also built through the 2.2.1 model and must be
the same JSON, so a mapping that drifts from the spec's model fails loudly.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from pydantic import ValidationError

from ocpi_gateway.documents import DocumentCaches
from ocpi_gateway.v221.mapping.locations import location_document
from ocpi_gateway.v221.models import Location
from ocpi_gateway.v221.models.serialization import json_dumps, to_json_bytes
from shared.domain.locations import SiteView
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.hot_reads import SiteKey
from shared.store.location_reads import get_site_views_by_id

__all__ = ["CACHE_NAME", "RenderingError", "location_documents", "render_location"]

log = get_logger("laddpunkt.ocpi.locations")

CACHE_NAME = "2.2.1/locations"


class RenderingError(Exception):
    """`validate` mode: the rendering differs from what the wire model makes of it."""


def render_location(view: SiteView, *, validate: bool = False) -> bytes | None:
    """The Location of `view` as JSON bytes; None (logged) when it cannot be sent.

    transport_and_format, *GET*: better one object less in a list than a list nobody
    can read.
    """
    document = location_document(view)
    try:
        rendered = json_dumps(document)
        if validate:
            modelled = to_json_bytes(Location.model_validate(document))
            if orjson.loads(modelled) != orjson.loads(rendered):
                raise RenderingError(
                    f"location {view.site.id}: {rendered!r} != the model's {modelled!r}"
                )
    except (ValidationError, TypeError) as exc:
        log.error("ocpi.locations.unsendable", location=view.site.id, error=str(exc))
        return None
    return rendered


async def location_documents(
    database: Database, caches: DocumentCaches, keys: Sequence[SiteKey]
) -> list[bytes]:
    """The documents of the sites `keys` name, in their order (unsendable ones left out);
    the database is read only for those not kept."""
    cache = caches.cache(CACHE_NAME)
    documents = cache.get_many(keys)
    missing = {key[0]: key[1] for key, doc in zip(keys, documents, strict=True) if doc is None}
    if missing:
        rendered = await _render(database, caches.validate, list(missing))
        for key_id, document in rendered.items():
            cache.put(key_id, missing[key_id], document)
        documents = [doc or rendered.get(key[0]) for key, doc in zip(keys, documents, strict=True)]
    return [doc for doc in documents if doc is not None]


async def _render(database: Database, validate: bool, ids: list[str]) -> dict[str, bytes]:
    async with database.read() as conn:
        views = await get_site_views_by_id(conn, ids)
    rendered = {}
    for location_id, view in views.items():
        document = render_location(view, validate=validate)
        if document is not None:
            rendered[location_id] = document
    return rendered
