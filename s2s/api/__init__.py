"""The REST API for MIS connectors: versioned under /api/v1/, described by OpenAPI."""
