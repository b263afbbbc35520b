"""``python -m ui.descent``: the Descent lab alone in a window of its own."""

import sys

from ui.common.lab import run_alone
from ui.descent.panel import DescentPanel

sys.exit(run_alone(DescentPanel))
