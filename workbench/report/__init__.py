"""The scoring report: built from stored facts (``build``), rendered (``render``), run (``run``)."""
