"""The CTF format library: file names, identifiers, reading, validation, writing, synthetic data.

Pure Python with no Django, so a command-line user or an MIS vendor can use it too
(`python -m s2s.ctf --help`). The public functions live in the topic modules: `names`,
`identifiers`, `hostile` (the hostile-XML guard), `reader`, `validate`, `writer`, `synthetic`
and `cli`.
"""
