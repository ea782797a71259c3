"""Welsh date formats."""
