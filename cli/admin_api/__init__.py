"""The operator API (`/admin/`), mounted by the node; the `csms` CLI is its main client."""

from __future__ import annotations

from cli.admin_api.app import create_admin_app
from cli.admin_api.keys import AdminServices

__all__ = ["AdminServices", "create_admin_app"]
