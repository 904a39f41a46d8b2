#!/usr/bin/env bash
# `npm test`: the whole suite. Type-checks, then runs the unit and integration
# tests against a real PostgreSQL and a real Kafka broker; test/support/services.ts
# says where they come from (DATABASE_URL/KAFKA_BROKERS, Docker, or this machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
ensure_dependencies
ensure_chromium
[ -n "${DATABASE_URL:-}" ] || ensure_postgres
npx tsc -p tsconfig.json --noEmit
# The layer rules of .oxlintrc.json: the domain is pure, nothing below the roots imports consumers/
# or producers/, only src/db uses the Prisma client, no import cycles.
npx oxlint --quiet
# One format (.prettierrc.json): a change that is not formatted fails here; `npx prettier --write "**/*.{ts,js}"` formats it.
npx prettier --check "**/*.{ts,js}" --log-level warn
# Only src/db writes SQL: no statement or Prisma model call in any other source file.
bash scripts/check-sql-layer.sh
exec npx jest "$@"
