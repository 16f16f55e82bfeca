"""The objectives the update job can fit the click residual with, by name.

A module of its own, with no imports, so that the CLI can offer them as `--loss` choices without
loading torch (`engine.learning.update` and `engine.learning.losses` do). The losses themselves are in
`engine.learning.losses`; why pairwise is the default is in docs/learning.md, *The objective*.
"""

from __future__ import annotations

CLICK_LOSSES = ("pairwise", "softmax")
"""`pairwise`: each clicked product over the products shown with it and not clicked; `softmax`: the
click likelihood of each served list. Both weight a click by its inverse examination propensity."""

DEFAULT_CLICK_LOSS = "pairwise"
