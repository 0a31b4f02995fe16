"""``python -m analysis``: the headless CLI."""

import sys

from analysis.cli import main

sys.exit(main())
