"""Tokens in the Authorization header, and the pagination parameters and links."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpi_gateway.auth import encode_token_header, is_token_text, token_candidates
from ocpi_gateway.client import next_link
from ocpi_gateway.errors import InvalidParametersError
from ocpi_gateway.pagination import page_headers, parse_page_request
from shared.store.paging import Cursor

NOW = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)

tokens = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64
)


@given(tokens)
def test_encoded_token_comes_back_first(token: str) -> None:
    assert token_candidates(encode_token_header(token))[0] == token
    raw = token_candidates(encode_token_header(token, base64_encoded=False))
    assert token in raw


def test_token_candidates() -> None:
    assert token_candidates(None) == []
    assert token_candidates("") == []
    assert token_candidates("Bearer abc") == []
    assert token_candidates("Token ") == []
    assert token_candidates("token abc") == ["abc"]  # scheme is case-insensitive
    # The spec's own example: base64 of the token plus a newline.
    example = "Token ZWJmM2IzOTktNzc5Zi00NDk3LTliOWQtYWM2YWQzY2M0NGQyCg=="
    assert token_candidates(example)[0] == "ebf3b399-779f-4497-9b9d-ac6ad3cc44d2"
    # A value that decodes to binary garbage is only tried raw.
    garbage = base64.b64encode(b"\xff\xfe\x00").decode()
    assert token_candidates(f"Token {garbage}") == [garbage]
    assert token_candidates("Token " + "x" * 65) == []
    assert token_candidates("Token " + "A" * 600) == []


def test_token_text() -> None:
    assert is_token_text("abc-DEF_123!~")
    assert not is_token_text("with space")
    assert not is_token_text("")
    assert not is_token_text("é")
    assert not is_token_text("x" * 65)


def test_defaults_fix_the_crawl_end_to_the_millisecond() -> None:
    page = parse_page_request({}, now=NOW, max_limit=100)
    assert page.date_from is None
    assert page.date_to == NOW.replace(microsecond=123000)
    assert (page.offset, page.limit, page.after, page.total) == (0, 100, None, None)


def test_client_limits_and_dates() -> None:
    page = parse_page_request(
        {
            "limit": "1000",
            "offset": "20",
            "date_from": "2024-01-01T00:00:00",
            "date_to": "2030-01-01T00:00:00Z",
        },
        now=NOW,
        max_limit=50,
    )
    assert page.limit == 50
    assert page.offset == 20
    assert page.date_from == datetime(2024, 1, 1, tzinfo=UTC)  # no zone: UTC
    assert page.date_to == NOW.replace(microsecond=123000)  # never beyond now
    earlier = parse_page_request({"date_to": "2024-02-01T00:00:00+01:00"}, now=NOW, max_limit=5)
    assert earlier.date_to == datetime(2024, 1, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "abc"},
        {"offset": "-1"},
        {"offset": "1e3"},
        {"date_from": "2024-01-01"},
        {"date_to": "tomorrow"},
        {"cursor": "!!"},
        {"cursor": base64.urlsafe_b64encode(b'{"u": "2024-01-01T00:00:00", "i": "x"}').decode()},
    ],
)
def test_bad_parameters(query: dict[str, str]) -> None:
    with pytest.raises(InvalidParametersError):
        parse_page_request(query, now=NOW, max_limit=10)


def test_link_carries_the_cursor_and_filters() -> None:
    first = parse_page_request(
        {"limit": "2", "date_from": "2024-01-01T00:00:00Z"}, now=NOW, max_limit=10
    )
    last = Cursor(datetime(2024, 3, 1, 10, 0, 0, 654321, tzinfo=UTC), "LOC-9")
    headers = page_headers(
        "https://cpo.example/ocpi/2.2.1/locations", first, returned=2, total=7, last=last, more=True
    )
    assert headers["X-Total-Count"] == "7"
    assert headers["X-Limit"] == "2"
    url = next_link(headers["Link"])
    assert url is not None
    parts = urlsplit(url)
    assert parts.netloc == "cpo.example"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["offset"] == "2"
    assert query["date_from"] == "2024-01-01T00:00:00Z"
    assert query["date_to"] == "2024-05-01T12:00:00.123Z"
    second = parse_page_request(query, now=datetime(2030, 1, 1, tzinfo=UTC), max_limit=10)
    assert second.after == last  # microseconds kept in the cursor
    assert second.total == 7
    assert second.date_to == first.date_to  # the crawl keeps its end
    assert second.offset == 2
    # Sessions page by an integer id.
    with pytest.raises(InvalidParametersError):
        parse_page_request(query, now=NOW, max_limit=10, id_type=int)


def test_last_page_has_no_link() -> None:
    page = parse_page_request({}, now=NOW, max_limit=10)
    headers = page_headers("https://x/ocpi", page, returned=3, total=3, last=None, more=False)
    assert "Link" not in headers
    assert headers == {"X-Total-Count": "3", "X-Limit": "10"}


def test_next_link_parsing() -> None:
    assert next_link(None) is None
    assert next_link('<https://a/b?offset=5>; rel="next"') == "https://a/b?offset=5"
    assert next_link('<https://a/p>; rel="prev", <https://a/n>; rel=next') == "https://a/n"
    assert next_link('<https://a/p>; rel="prev"') is None
