"""``python -m zhike.tools.rasa_train ARGS...``: ``rasa train ARGS...`` made repeatable.

With the same data and seeds, two trainings on this CPU-only machine gave different
models: 173 of 200 held-out messages got another confidence, some another intent. On
CPU, TensorFlow's oneDNN kernels and its thread pools add floating-point numbers in an
order that depends on thread scheduling, and 80 epochs amplify the difference. This
module, before TensorFlow is loaded:

* switches oneDNN's custom kernels off (``TF_ENABLE_ONEDNN_OPTS=0``);
* runs each op on one thread, one op at a time (``TF_INTRA_OP_PARALLELISM_THREADS=1``,
  ``TF_INTER_OP_PARALLELISM_THREADS=1``, read by Rasa);
* switches TensorFlow to its deterministic kernels
  (``tf.config.experimental.enable_op_determinism``);
* trains every component afresh (``RASA_MAX_CACHE_SIZE=0``): Rasa's training cache may
  restore a component trained by an earlier run under other settings, and a model half
  restored from it came out different from one trained from scratch;

and the caller fixes Python's string hashing (``PYTHONHASHSEED=0``). Measured: two
trainings from scratch then agree on all 200 messages to the sixth decimal (the NLU alone
and the whole model), and training takes about 5 minutes on this 2-core machine.

Determinism has limits TensorFlow states itself: another CPU instruction set (AVX-512
against AVX2) or another TensorFlow build may still round differently, so a model is
reproducible on one kind of machine, not across all of them.
"""

from __future__ import annotations

import os
import runpy
import sys

DETERMINISTIC_ENV = {
    "TF_DETERMINISTIC_OPS": "1",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "RASA_MAX_CACHE_SIZE": "0",
}


def main(argv: list[str] | None = None) -> None:
    """Runs ``rasa train`` with the given arguments and deterministic TensorFlow ops."""
    args = list(sys.argv[1:] if argv is None else argv)
    for name, value in DETERMINISTIC_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import tensorflow as tf  # imported here: loading TensorFlow takes seconds

    tf.config.experimental.enable_op_determinism()
    sys.argv = ["rasa", "train", *args]
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
