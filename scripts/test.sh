#!/usr/bin/env bash
# Set up (if needed) and run every check: ruff, mypy, the test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
VENV="${VENV:-.venv}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$VENV/bin/ruff" format --check bot retrieval tests benchmarks
"$VENV/bin/ruff" check bot retrieval tests benchmarks
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest "$@"
