"""``python -m femsi`` is the ``femsi`` command."""

import sys

from femsi.cli import main

sys.exit(main())
