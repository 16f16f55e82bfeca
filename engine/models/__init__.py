"""Model code shared by the Triton python-backend models (`model_repository/*/model.py`) and the
in-process fallback (`engine.inference.inprocess`), so both compute exactly the same vectors and scores.

Modules: `sources` (where weights live and how they are fingerprinted), `text_encoder` (BERT sentence
encoder) and `onnx_text` (its ONNX export and runner), `clip` (CLIP text and image towers),
`ranker_artifact` (a ranker version's files and its numpy scorer), `ranker_net` (the torch ranking
network that training uses) and `served` (the adapters Triton calls). Nothing here is imported eagerly:
torch and transformers load only when a model is built, and the served encoder (from a cached export)
and ranker never load them.
"""
