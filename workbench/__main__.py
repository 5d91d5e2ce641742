"""``python -m workbench``: the same command as ``workbench``."""

import sys

from workbench.cli.main import main

sys.exit(main())
