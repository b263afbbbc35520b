"""The 2-D objectives of the Descent lab, under the name the public entry points use.

They live in :mod:`explorer.descent.surfaces`; this name is that very module
(not a copy), so ``explorer.surfaces.names() / evaluate()`` work as documented.
"""

import sys

from explorer.descent import surfaces as _module

sys.modules[__name__] = _module
