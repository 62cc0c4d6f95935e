"""The OCPI 2.2.1 modules we serve: one file per module, each defining `MODULE`.

`MODULE_NAMES` is the registry: the version details list these modules and the app routes
them, in this order. Adding a module is adding its file name here. A listed module whose
file does not exist yet is left out (the receiver modules are written separately); any
other import error is raised.
"""

from __future__ import annotations

from importlib import import_module

from ocpi_gateway.routing import ModuleSpec

__all__ = ["MODULE_NAMES", "load_modules"]

MODULE_NAMES = (
    "credentials",
    "locations",
    "tariffs",
    "sessions",
    "cdrs",
    "tokens",
    "commands",
    "chargingprofiles",
    "hubclientinfo",
)


def load_modules(names: tuple[str, ...] = MODULE_NAMES) -> tuple[ModuleSpec, ...]:
    """The `MODULE` of each listed module file that exists."""
    modules = []
    for name in names:
        qualified = f"{__name__}.{name}"
        try:
            loaded = import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name == qualified:
                continue
            raise
        spec = getattr(loaded, "MODULE", None)
        if not isinstance(spec, ModuleSpec):
            raise TypeError(f"{qualified} defines no MODULE of type ModuleSpec")
        modules.append(spec)
    return tuple(modules)
