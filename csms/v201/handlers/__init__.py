"""OCPP 2.0.1 handlers, one module per functional block (B provisioning, E transactions, …)."""
