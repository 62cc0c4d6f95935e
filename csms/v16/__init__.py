"""OCPP 1.6J: route table, handlers by functional block, wire↔domain mapping, call builders."""
