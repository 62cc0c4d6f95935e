"""Running several nodes against one PostgreSQL: the node registry (who is alive), the
LISTEN/NOTIFY listener on its own connection, and the relay that carries domain events to
every node's local bus (DESIGN.md "Commands", PITFALLS "PostgreSQL LISTEN/NOTIFY")."""
