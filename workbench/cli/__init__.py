"""The ``workbench`` command, one module per command family."""

from workbench.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
