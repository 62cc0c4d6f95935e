"""Wire ↔ domain mapping for OCPI 2.2.1: the only code that sees both the pydantic models of
`v221.models` and the domain objects of `shared` (version-neutral rules live in
`ocpi_gateway.mapping`)."""
