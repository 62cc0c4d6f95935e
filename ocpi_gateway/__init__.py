"""Laddpunkt OCPI 2.2.1 CPO gateway."""
