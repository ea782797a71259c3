"""Run the CTF command line: `python -m s2s.ctf validate FILE...`."""

import sys

from s2s.ctf.cli import main

if __name__ == "__main__":
    sys.exit(main())
