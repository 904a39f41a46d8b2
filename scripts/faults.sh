#!/usr/bin/env bash
# `npm run test:faults`: the fault-injection suite (test/faults, jest.faults.config.js).
# Arguments go to jest, e.g. `npm run test:faults -- test/faults/sigkill.faults.ts`.
#   FAULT_ORDERS=100000 npm run test:faults     orders per crash/restart scenario (default 20000)
#   FAULT_FOUR_ORDERS=10000                     orders of the 4-instance test (default 10000 here, 2000 in npm test)
#   FAULTS_KEEP_BROKER=1                        leave the suite's broker on 19092 running afterwards
#   bash scripts/faults.sh stop                 stop the suite's broker (19092) and PostgreSQL (55432)
# The scenarios never restart the shared broker (9092) or the machine's PostgreSQL (5432):
# they start their own on 19092/19093 and 55432. Logs and result.json of every run: .cache/faults-runs/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh

if [[ "${1:-}" == stop ]]; then
  KAFKA_PORT="${FAULTS_KAFKA_PORT:-19092}" KAFKA_CONTROLLER_PORT="${FAULTS_KAFKA_CONTROLLER_PORT:-19093}" bash scripts/kafka-stop.sh
  PG_PORT="${FAULTS_PG_PORT:-55432}"
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  if [[ -f "/tmp/inventory-pg-$PG_PORT/data/PG_VERSION" ]]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "/tmp/inventory-pg-$PG_PORT/data" -m fast -w -t 60 stop || true
  fi
  exit 0
fi

ensure_dependencies
[ -n "${DATABASE_URL:-}" ] || ensure_postgres
exec npx jest -c jest.faults.config.js "$@"
