"""Who may reach the transfer pages: none yet (the encrypted store has no URLs)."""

ROWS = []
