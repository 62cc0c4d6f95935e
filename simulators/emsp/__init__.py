"""A simulated OCPI 2.2.1 eMSP roaming partner, independent of the gateway's code.

It serves its own versions, credentials and Receiver interfaces (locations, sessions,
cdrs, tariffs), a tokens Sender with real-time authorization, and the result endpoints
of commands and charging profiles; it registers with a Token A, uploads tokens, pulls the
CPO's Sender interfaces page by page, sends commands and charging profiles, and reports
every mistake of the CPO it notices in `EmspSimulator.problems`.

    from simulators.emsp import EmspOptions, EmspSimulator, run_emsp
"""

from .client import CpoCallError, CpoResponse
from .events import EmspEvent
from .pull import PullResult
from .registration import RegistrationError
from .report import Printer
from .results import PendingRequest
from .run import run_emsp, run_emsp_async
from .schema import check_object, check_patch
from .simulator import EmspOptions, EmspSimulator
from .tokens import make_token

__all__ = [
    "CpoCallError",
    "CpoResponse",
    "EmspEvent",
    "EmspOptions",
    "EmspSimulator",
    "PendingRequest",
    "Printer",
    "PullResult",
    "RegistrationError",
    "check_object",
    "check_patch",
    "make_token",
    "run_emsp",
    "run_emsp_async",
]
