"""``python -m slacalc``: the command line (see :mod:`slacalc.cli`)."""

import sys

from slacalc.cli import main

if __name__ == "__main__":
    sys.exit(main())
