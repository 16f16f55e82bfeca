"""Model code shared by the Triton python-backend models (`model_repository/*/model.py`) and the
in-process fallback (`engine.inference.inprocess`), so both compute exactly the same vectors and scores.

Modules: `sources` (where weights live and how they are fingerprinted), `text_encoder` (BERT sentence
encoder), `clip` (CLIP text and image towers), `ranker_net` (the ranking network and its artifacts) and
`served` (the adapters Triton calls). Nothing here is imported eagerly: torch and transformers load only
when a model is built.
"""
