"""How dates and times read on every page (FORMAT_MODULE_PATH): "6 December 2026" (issue 19)."""
