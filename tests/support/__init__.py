"""Test-only helpers that stand in for parts of the production deployment (TLS, auth, Compose)."""
