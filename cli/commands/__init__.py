"""The `csms` sub-command groups, one module per area."""
