"""The LPD's services, one module per topic (import the module: upload imports intake)."""
