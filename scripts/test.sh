#!/usr/bin/env bash
# `make test`: every test of the project, in the order a failure is cheapest to find.
#  1. data validation (domain, NLU, rules, stories)   2. train the model if inputs changed
#  3. NLU on the held-out set (tests/nlu) and the blind set (tests/nlu_blind), each gated
#  4. test stories (tests/stories) with --fail-on-prediction-errors
#  5. pytest: unit, integration (real backend) and end-to-end (real servers) tests
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2

step() { printf '\n==> %s\n' "$*"; }

step "rasa data validate"
$PY -m rasa data validate --domain domain --data data --fail-on-warnings

step "train (only if config, domain or data changed)"
$PY -m zhike.tools.train

step "NLU on the held-out set (tests/nlu)"
rm -rf results/nlu
$PY -m rasa test nlu --model models/zhike.tar.gz --nlu tests/nlu --out results/nlu --no-plot
$PY scripts/nlu_report.py results/nlu

step "NLU on the blind set (tests/nlu_blind: written without reading the training data)"
rm -rf results/nlu_blind
$PY -m rasa test nlu --model models/zhike.tar.gz --nlu tests/nlu_blind --out results/nlu_blind \
  --no-plot
$PY scripts/nlu_report.py results/nlu_blind --baseline tests/nlu_blind_baseline.json \
  --name tests/nlu_blind

step "test stories (tests/stories)"
rm -rf results/core
$PY -m rasa test core --model models/zhike.tar.gz --stories tests/stories --out results/core \
  --fail-on-prediction-errors --no-plot

step "pytest"
set +e
$PY -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests"; exit 1
fi
exit "$status"
