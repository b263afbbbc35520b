"""Training Explorer's compute core: torch and numpy only, never Qt.

Every number the program shows is produced by a plain function in this
package, callable from a Python prompt with no display.
"""

import os
from pathlib import Path

# NumPy asks Linux for transparent huge pages for every array of 4 MB or more. Where the
# kernel then compacts memory to find them (defrag "madvise", as on this project's
# machines), the first touch of a new path buffer (64 runs x 100,000 steps: 100 MB) held
# the window for 0.5-1 s, and a run streamed no partial result meanwhile. NumPy reads this
# when it is imported, so the entry points import this package first.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

__version__ = "0.1.0"

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
