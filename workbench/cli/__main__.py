"""``python -m workbench.cli``: the same command as ``workbench``."""

import sys

from workbench.cli.main import main

sys.exit(main())
