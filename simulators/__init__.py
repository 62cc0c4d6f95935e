"""Simulated charge points and a simulated eMSP partner."""
