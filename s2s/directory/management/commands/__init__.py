"""The directory's management commands: import_establishments and demo."""
