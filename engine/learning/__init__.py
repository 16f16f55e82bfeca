"""Learning to rank: offline from labelled judgements, online from the click log.

The flow, one module per step:

- `clicks`      joins clicks to the served lists they came from (by `search_id`), split by log offset.
- `propensity`  estimates how likely a shopper is to *look at* each position (position-based click
                model fitted by EM on the logged lists; the gateway's random adjacent swaps make it
                identifiable) and turns that into inverse-propensity weights.
- `losses`      listwise softmax cross-entropy, LambdaRank and the pairwise click loss on padded batches.
- `trainer`     fits a ranker network on lists with a learning rate that decays with the data seen.
- `metrics`     nDCG for labels and the self-normalised IPS click estimate for logged clicks.
- `gate`        compares a candidate with the serving version before it may serve.
- `versions`    the ranker versions in the runtime model repository and the rollout record.
- `rollout`     makes Triton serve a version, rolls back, prunes old versions.
- `update`      the update job: checkpoint -> train -> validate -> roll out -> record -> checkpoint.
- `residual`    what a click-trained candidate may change: weights on the (query-gated) click features.
- `anchor`      click-neutral anchor lists for whole-network fits (`learn="all"`).
- `interleave`  scores logged team-draft lists (wins, losses, ties) for a candidate.
- `signtest`    the exact sign test a trial decides with.
- `trial`       interleaved trials: start, promote on a significant win, stop on a loss or a limit.
- `history`     how each version was validated; the last version that passed (rollback's target).

Offline training from judgements lives in `engine.learning.offline`; both share `trainer` and `versions`.
"""
