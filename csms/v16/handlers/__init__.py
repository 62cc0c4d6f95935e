"""OCPP 1.6 handlers, one module per functional area."""
