"""``python -m ui.loss``: the Loss lab alone in a window of its own."""

import sys

from ui.common.lab import run_alone
from ui.loss.panel import LossPanel

sys.exit(run_alone(LossPanel))
