"""Token look-ups kept for a second (credentials tokens only), and the envelope joined from
rendered bytes reading exactly like the one `json_dumps` writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ocpi_gateway.app import _rendered_envelope
from ocpi_gateway.routing import OcpiResult, Rendered, RenderedList
from ocpi_gateway.token_cache import KnownToken, TokenCache
from ocpi_gateway.v221.models.serialization import json_dumps
from shared.domain.partners import Partner, PartnerStatus
from shared.store.partners import TokenKind

PARTNER = Partner(id=1, name="eMSP", status=PartnerStatus.REGISTERED)
KNOWN = KnownToken("token-c", PARTNER, TokenKind.CREDENTIALS)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_lookup_is_kept_for_its_ttl() -> None:
    clock = FakeClock()
    cache = TokenCache(ttl=1.0, clock=clock)
    assert cache.get("Token dG9rZW4tYw==") is None
    cache.put("Token dG9rZW4tYw==", KNOWN)
    assert cache.get("Token dG9rZW4tYw==") == KNOWN
    assert cache.get("Token token-c") is None  # another header: looked up on its own
    clock.now += 0.999
    assert cache.get("Token dG9rZW4tYw==") == KNOWN
    clock.now += 0.001
    assert cache.get("Token dG9rZW4tYw==") is None  # expired: looked up again


def test_token_a_and_a_zero_ttl_are_never_kept() -> None:
    cache = TokenCache(ttl=1.0, clock=FakeClock())
    cache.put("a", KnownToken("token-a", PARTNER, TokenKind.INVITE))
    assert cache.get("a") is None
    off = TokenCache(ttl=0, clock=FakeClock())
    off.put("h", KNOWN)
    assert off.get("h") is None


def test_clear_forgets_everything() -> None:
    cache = TokenCache(ttl=10.0, clock=FakeClock())
    for n in range(3):
        cache.put(f"h{n}", KNOWN)
    cache.clear()
    assert all(cache.get(f"h{n}") is None for n in range(3))


NOW = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)


def _envelope(data: object, message: str | None = None) -> dict[str, object]:
    envelope: dict[str, object] = {"data": data, "status_code": 1000}
    if message:
        envelope["status_message"] = message
    envelope["timestamp"] = NOW
    return dict(json.loads(json_dumps(envelope)))


def test_rendered_envelopes_read_like_json_dumps() -> None:
    items = [b'{"id":"A","n":1.50}', b'{"id":"B","evses":[]}']
    parsed = [json.loads(item) for item in items]
    cases = [
        (OcpiResult(RenderedList(items)), parsed, None),
        (OcpiResult(RenderedList([])), [], None),
        (OcpiResult(Rendered(items[0]), message='say "hi" ✓'), parsed[0], 'say "hi" ✓'),
    ]
    for result, data, message in cases:
        joined = _rendered_envelope(result, NOW)
        assert json.loads(joined) == _envelope(data, message)
        assert joined.endswith(b'"timestamp":"2024-05-01T12:00:00.25Z"}')
