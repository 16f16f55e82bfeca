"""Fine-tuning the BERT query tower from judgements, and its versions in the Triton model repository.

`data` reads judged pairs and splits them by query, `train` runs the contrastive fine-tuning loop,
`evaluate` scores dense retrieval, `versions` keeps query-tower versions with their manifests, and
`rollout` gates, serves and rolls them back.
"""
