"""Training Explorer's compute core: torch and numpy only, never Qt.

Every number the program shows is produced by a plain function in this
package, callable from a Python prompt with no display.
"""

from pathlib import Path

__version__ = "0.1.0"

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
