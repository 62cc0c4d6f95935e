"""Use cases: plain async functions over a unit of work, shared by both OCPP versions.

Handlers in `csms/v16/` and `csms/v201/` translate wire payloads into the domain types these
functions take, run them through `ctx.commit(...)`, and translate the results back.
"""
