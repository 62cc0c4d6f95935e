"""The stations this node holds: station id → its live connection (newest wins)."""

from __future__ import annotations

from collections.abc import Iterator

from csms.connection import StationConnection

__all__ = ["ConnectionRegistry"]


class ConnectionRegistry:
    """In-memory map of open connections on this node."""

    def __init__(self) -> None:
        self._connections: dict[str, StationConnection] = {}

    def replace(self, connection: StationConnection) -> StationConnection | None:
        """Make `connection` the station's current one; return the one it replaces."""
        previous = self._connections.get(connection.station_id)
        self._connections[connection.station_id] = connection
        return previous if previous is not connection else None

    def remove(self, connection: StationConnection) -> bool:
        """Forget `connection` if it is still the current one; True when it was."""
        if self._connections.get(connection.station_id) is connection:
            del self._connections[connection.station_id]
            return True
        return False

    def get(self, station_id: str) -> StationConnection | None:
        return self._connections.get(station_id)

    def __len__(self) -> int:
        return len(self._connections)

    def __iter__(self) -> Iterator[StationConnection]:
        return iter(list(self._connections.values()))
