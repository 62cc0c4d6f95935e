"""A test node whose DataTransfer registry the test can fill (issue 4's report tests).

Until `CsmsServices` has its own `data_transfer` field, the node's services are swapped for
a subclass that has one, before the node starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, fields

from cli.node import Node
from csms.app import CsmsApp
from csms.context import CsmsServices
from csms.data_transfer import DataTransferRegistry
from shared.config import Settings

__all__ = ["node_with_vendors"]


@dataclass(slots=True)
class _ServicesWithVendors(CsmsServices):
    data_transfer: DataTransferRegistry = field(default_factory=DataTransferRegistry)


@contextlib.asynccontextmanager
async def node_with_vendors(
    settings: Settings, registry: DataTransferRegistry
) -> AsyncIterator[Node]:
    """A running node that answers DataTransfer through `registry`."""
    node = Node(settings)
    current = getattr(node.services, "data_transfer", None)
    if isinstance(current, DataTransferRegistry):
        object.__setattr__(node.services, "data_transfer", registry)
    else:
        values = {f.name: getattr(node.services, f.name) for f in fields(node.services)}
        node.services = _ServicesWithVendors(**values, data_transfer=registry)
        node.csms = CsmsApp(node.services)
    await node.start()
    try:
        yield node
    finally:
        await node.aclose()
