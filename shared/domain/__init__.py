"""The domain model: charging stations, EVSEs, tokens, transactions, commands.

Vocabulary follows OCPP 2.0.1 (ChargingStation, Evse, Connector, IdToken, Transaction); the
1.6 mapping lives in `csms/v16/`, OCPI names stay in `ocpi_gateway/`. Nothing here knows a
wire format.
"""
