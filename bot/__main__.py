"""`python -m bot ...` is the same as `ecoute ...`."""

import sys

from bot.cli import main

sys.exit(main())
