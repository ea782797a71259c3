#!/usr/bin/env python
"""Django's manage.py, kept for habit: it does exactly what the `s2s` command does."""

from s2s.__main__ import main

if __name__ == "__main__":
    main()
