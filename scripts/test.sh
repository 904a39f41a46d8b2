#!/usr/bin/env bash
# The whole test suite: type-check, then unit and integration tests against a
# real PostgreSQL and a real Kafka broker (test/support/services.ts says which).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d src/generated/prisma ] || npm run -s generate
npx tsc -p tsconfig.json --noEmit
exec npx jest "$@"
