"""Build the CTF raw-byte watch's C scan (s2s/ctf/_leafscan.c); all else is in pyproject.toml.

Optional: without a C compiler the install goes on, and s2s/ctf/rawscan.py uses its regex.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("s2s.ctf._leafscan", ["s2s/ctf/_leafscan.c"], optional=True)])
