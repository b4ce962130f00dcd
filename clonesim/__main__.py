"""``python -m clonesim`` is the ``clonesim`` command."""

import sys

from .cli import main

sys.exit(main())
