"""Laddpunkt domain model, store and buses, shared by the OCPP and OCPI sides."""
