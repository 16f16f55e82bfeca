"""The ingest pipeline: catalog files in, index generations out (see docs/ingest.md).

Read in this order:

    readers.py     JSON Lines / CSV / Parquet -> (line, raw record)
    schema.py      raw record -> engine.records.Product, or a RecordError naming every wrong field
    loading.py     a whole file -> valid products + problems (with file and line)
    embedding.py   batched, pipelined calls to the Triton encoders
    checkpoint.py  embeddings saved chunk by chunk so a killed build resumes
    stages.py      the image and text embedding stages and the vector-store writes
    build.py       `Builder.build`: a full build into a new generation, switched to atomically
    updates.py     `IndexUpdater`: upserts and deletes on the live generation
    verify.py      consistency checks and statistics
    cli.py         the `indexer` command
    distributed.py the embedding step as a Ray batch job, for catalogs beyond one process

The serving side reads what this package writes through `engine.catalog`.
"""
