"""OCPP 2.0.1: route table, handlers by functional block, wire↔domain mapping, call builders."""
