"""The minibatch experiments of the Batch lab, under the name the public entry points use.

They live in :mod:`explorer.training.batches`; this name is that very module
(not a copy), so ``explorer.batches.gradient_noise()`` work as documented.
"""

import sys

from explorer.training import batches as _module

sys.modules[__name__] = _module
