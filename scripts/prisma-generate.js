#!/usr/bin/env node
// Runs `prisma generate`. Prisma's CLI insists on a schema-engine binary that it
// downloads from its own host on first use; `generate` only checks that the file
// exists and never runs it. Where the download is impossible (these build
// machines) we point PRISMA_SCHEMA_ENGINE_BINARY at an existing file; where the
// real engine is present nothing is changed.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const enginesDir = path.join(__dirname, '..', 'node_modules', '@prisma', 'engines');
const hasRealEngine = fs.existsSync(enginesDir) && fs.readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasRealEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const cli = require.resolve('prisma/build/index.js');
execFileSync(process.execPath, [cli, 'generate', '--no-hints'], { stdio: 'inherit', env });
