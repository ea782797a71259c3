"""s2s: the school-to-school secure transfer hub."""
