"""`python -m simulators.demo` (what `make demo` runs)."""

import sys

from . import main

sys.exit(main())
