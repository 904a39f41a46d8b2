# syntax=docker/dockerfile:1
# The inventory service image. Build: docker build -t inventory-service .
# Migrations are applied by a separate one-shot run of the same image before the
# service starts:  docker run --rm -e DATABASE_URL=... inventory-service node dist/src/cli.js migrate
# (docs/operations.md, "Docker").
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, Prisma client generation, TypeScript compile ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the build must not depend on install-time downloads;
# `npm run generate` copes without Prisma's engine download (scripts/prisma-generate.js).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
COPY consumers ./consumers
COPY producers ./producers
RUN npm run generate && npm run build

# --- runtime: production dependencies, compiled code, migrations; no compiler ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# prisma/migrations is read by `node dist/src/cli.js migrate` (and `prisma migrate deploy`).
COPY prisma ./prisma
# Files stay root-owned and read-only to the process; it writes nothing to disk.
USER node
EXPOSE 8080
# Exec form: node is PID 1 and receives SIGTERM itself (graceful shutdown in src/main.ts).
CMD ["node", "dist/src/main.js"]
