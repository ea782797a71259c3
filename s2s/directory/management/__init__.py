"""Management commands of the directory."""
