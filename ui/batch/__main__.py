"""``python -m ui.batch``: the Batch lab alone in a window of its own."""

import sys

from ui.batch.panel import BatchPanel
from ui.common.lab import run_alone

sys.exit(run_alone(BatchPanel))
