#!/usr/bin/env bash
# Run every fault script in order against real services (PostgreSQL on 5432, Redis on
# 6379 db 10/11, an own Redis on 6391); print what happened; exit non-zero if any failed.
#   bash bench/faults/run_all.sh            (about 10 minutes on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
failed=()
for fault in compile_kill redis_restart db_drop concurrent_numbering; do
  "$PY" "bench/faults/$fault.py" || failed+=("$fault")
done
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAULTS FAILED: ${failed[*]}"
  exit 1
fi
echo "ALL FAULTS PASSED"
