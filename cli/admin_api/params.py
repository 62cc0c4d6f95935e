"""Reading query parameters, path parameters and JSON bodies, with clear 400/404 answers."""

from __future__ import annotations

from typing import TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel

from cli.admin_api.errors import BadRequestError, InvalidBodyError, NotFoundError

__all__ = ["json_response", "path_int", "query_bool", "query_int", "read_body"]

M = TypeVar("M", bound=BaseModel)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def query_int(
    request: web.Request, name: str, *, default: int | None, minimum: int, maximum: int
) -> int | None:
    """An integer query parameter within [minimum, maximum], or `default` when absent."""
    text = request.query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadRequestError(
            f"query parameter '{name}' must be an integer, not {text!r}"
        ) from None
    if not minimum <= value <= maximum:
        raise BadRequestError(f"query parameter '{name}' must be between {minimum} and {maximum}")
    return value


def query_bool(request: web.Request, name: str) -> bool | None:
    """A boolean query parameter (`true`/`false`, `1`/`0`, …), or None when absent."""
    text = request.query.get(name)
    if text is None or text == "":
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadRequestError(f"query parameter '{name}' must be true or false, not {text!r}")


def path_int(request: web.Request, name: str, what: str) -> int:
    """An integer path segment; anything else names nothing that exists (404)."""
    text = request.match_info[name]
    try:
        return int(text)
    except ValueError:
        raise NotFoundError(f"no {what} {text!r}") from None


async def read_body(request: web.Request, model: type[M]) -> M:
    """The request's JSON body validated as `model` (400 for bad JSON, 422 for bad fields)."""
    raw = await request.read()
    if not raw.strip():
        raise InvalidBodyError("a JSON object body is required")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequestError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidBodyError("the body must be a JSON object")
    return model.model_validate(data)


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def json_response(data: object, status: int = 200) -> web.Response:
    """A JSON answer (orjson: fast, and NaN becomes null, so the output is always valid JSON)."""
    return web.json_response(data, status=status, dumps=_dumps)
