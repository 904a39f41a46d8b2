#!/usr/bin/env bash
# Only src/db writes SQL (docs/DEVELOPING.md, layers): run by `npm test` (scripts/test.sh).
# Fails with one line per file outside src/db that runs a statement itself: raw SQL
# ($queryRaw, $executeRaw and their Unsafe forms, a pg client's .query) or a Prisma
# model method on a transaction or client (tx.product.findMany(...), db.deadLetter.update(...)).
# Put the statement behind a named function in src/db/ instead.
# Exempt: src/db itself, the generated client, the benchmark's own raw-SQL baselines
# (bench/), tests, scripts and migrations. A grep, not a parser: a model call split over
# two lines (tx.product<newline>.findMany) escapes it; oxlint's no-restricted-imports keeps
# the generated client's imports in src/db, which catches most of the rest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

raw='\$(queryRaw|queryRawUnsafe|queryRawTyped|executeRaw|executeRawUnsafe)\b|\.query(<|\()'
model='\b(tx|db)\.[a-z][A-Za-z0-9]*\.(findMany|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany|aggregate|count|groupBy)\('

mapfile -t files < <(
  find . \( -path ./node_modules -o -path ./.git -o -path ./dist -o -path ./coverage -o -path ./.cache \
            -o -path ./bench-results -o -path ./test-results \
            -o -path ./src/db -o -path ./src/generated -o -path ./bench -o -path ./test -o -path ./scripts -o -path ./prisma \) -prune \
         -o -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.mts' -o -name '*.cts' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) -print |
    sed 's#^\./##' | sort
)

failed=0
for file in "${files[@]}"; do
  first=$(grep -nE "$raw|$model" "$file" | head -n1 || true)
  [ -n "$first" ] || continue
  count=$(grep -cE "$raw|$model" "$file")
  echo "check-sql-layer: $file runs SQL outside src/db ($count matching line(s), the first at line ${first%%:*}): move it behind a named function in src/db/" >&2
  failed=1
done
exit "$failed"
