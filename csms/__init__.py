"""Laddpunkt OCPP-J central system (1.6 and 2.0.1)."""
