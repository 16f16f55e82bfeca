"""Request/response models of the HTTP API, separate from the engine's internal records."""
