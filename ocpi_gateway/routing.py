"""Framework-free request/response types and the module registry entry.

Module handlers (`v221/modules/*.py`) are plain `async def handler(request: OcpiRequest) ->
OcpiResult` functions. `app.py` is the only place that turns aiohttp requests into
`OcpiRequest`s and `OcpiResult`s into HTTP responses in the OCPI envelope, so version folders
never import aiohttp and can be tested without a server.

A module declares itself with one `ModuleSpec`: its ModuleID, its interface role and its
routes (relative to `{version root}/{path}`). Adding a module to a version is adding its
name to that version's registry (`v221/modules/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ocpi_gateway.errors import InvalidParametersError, MalformedJsonError
from ocpi_gateway.v221.models import describe_validation_error, parse_json

if TYPE_CHECKING:
    from ocpi_gateway.client import OcpiClient
    from ocpi_gateway.documents import DocumentCaches
    from ocpi_gateway.services import OcpiServices
    from shared.domain.partners import Partner
    from shared.store.hot_reads import HotReads
    from shared.store.partners import TokenKind

__all__ = [
    "Handler",
    "ModuleSpec",
    "OcpiRequest",
    "OcpiResult",
    "Party",
    "Rendered",
    "RenderedList",
    "RequestContext",
    "Route",
    "parse_body",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Party:
    """A party named by `OCPI-from-*` / `OCPI-to-*` headers (upper-cased CiStrings)."""

    country_code: str
    party_id: str


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is asking, as the middleware established it."""

    partner: Partner
    token_kind: TokenKind
    #: The credentials token the request presented (decoded), e.g. for GET credentials.
    token: str
    request_id: str
    correlation_id: str
    #: transport_and_format, *Message Routing*: the party the request comes from and the
    #: one it is for; None when the headers are absent (peer-to-peer without them).
    from_party: Party | None = None
    to_party: Party | None = None


@dataclass(frozen=True, slots=True)
class OcpiRequest:
    """One request as a module handler sees it."""

    method: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    context: RequestContext
    services: OcpiServices
    client: OcpiClient
    #: The public URL of this request without its query (for `Link` headers).
    url: str
    received_at: datetime
    #: Rendered objects kept by the app (`ocpi_gateway.documents`).
    documents: DocumentCaches
    #: The queries every GET runs, on the driver (`shared.store.hot_reads`).
    reads: HotReads

    def json(self) -> Any:
        """The body parsed as JSON (exact decimals); MalformedJsonError when it is not."""
        if not self.body.strip():
            raise InvalidParametersError("a JSON body is required")
        try:
            return parse_json(self.body)
        except (ValueError, RecursionError) as exc:
            raise MalformedJsonError(f"the body is not valid JSON: {exc}") from None


@dataclass(frozen=True, slots=True)
class Rendered:
    """`data` that is already JSON (one object's bytes), sent as it is."""

    json: bytes


@dataclass(frozen=True, slots=True)
class RenderedList:
    """`data` that is a JSON array of already rendered items, sent as they are."""

    items: Sequence[bytes]

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class OcpiResult:
    """What a handler answers: the envelope's `data` and the HTTP side of it.

    `data` is anything `json_dumps` writes, or `Rendered` / `RenderedList` bytes that the
    envelope takes in without parsing or copying them twice.
    """

    data: Any = None
    http_status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None


Handler = Callable[[OcpiRequest], Awaitable[OcpiResult]]


@dataclass(frozen=True, slots=True)
class Route:
    """`method` on `{module root}{path}` (path like ``""`` or ``"/{location_id}"``)."""

    method: str
    path: str
    handler: Handler


@dataclass(frozen=True, slots=True)
class ModuleSpec:
    """One module interface we offer in one OCPI version."""

    identifier: str  # ModuleID, e.g. "locations"
    role: str  # InterfaceRole: "SENDER" or "RECEIVER"
    routes: tuple[Route, ...]
    #: URL segment below the version root; defaults to the identifier.
    path: str = ""
    #: Configuration modules (credentials, hubclientinfo) take no routing headers
    #: (transport_and_format, *Message Routing Headers*).
    configuration: bool = False
    #: Reachable with Token A (only credentials: transport_and_format, *Authorization*).
    token_a: bool = False

    @property
    def segment(self) -> str:
        return self.path or self.identifier


def parse_body(request: OcpiRequest, model: type[M]) -> M:
    """The body validated as `model`: MalformedJsonError (HTTP 400) for unreadable JSON,
    InvalidParametersError (2001) naming the first problem for content that does not fit."""
    data = request.json()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidParametersError(describe_validation_error(exc)) from None
