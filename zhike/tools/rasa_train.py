"""``python -m zhike.tools.rasa_train ARGS...``: ``rasa train ARGS...`` made repeatable.

TensorFlow picks the fastest kernel for an op at run time, and on CPU several of them
(reductions, scatter/gather in the embedding layers) add floating-point numbers in an
order that depends on thread scheduling: two trainings of the same data with the same
seeds then end with slightly different weights, and a borderline message flips between
two intents from one training to the next. This module switches TensorFlow to its
deterministic kernels (``tf.config.experimental.enable_op_determinism``) before Rasa
builds a model, with Python's string hashing fixed (``PYTHONHASHSEED=0``, set by the
caller), so that the same inputs train the same model on machines of the same kind.

Determinism has limits TensorFlow states itself: another CPU instruction set (AVX-512
against AVX2) or another TensorFlow build may still round differently, so a model is
reproducible on one kind of machine, not across all of them.
"""

from __future__ import annotations

import os
import runpy
import sys


def main(argv: list[str] | None = None) -> None:
    """Runs ``rasa train`` with the given arguments and deterministic TensorFlow ops."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import tensorflow as tf  # imported here: loading TensorFlow takes seconds

    tf.config.experimental.enable_op_determinism()
    sys.argv = ["rasa", "train", *args]
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
