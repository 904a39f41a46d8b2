/**
 * Writes docs/contract from the zod schemas: AsyncAPI and JSON Schemas from
 * src/contracts, the query API's OpenAPI document from src/api.
 *   node dist/scripts/generate-contract-docs.js          write the files
 *   node dist/scripts/generate-contract-docs.js --check  exit 1 if they are stale
 * Files under docs/contract that the schemas no longer produce are removed,
 * so a dropped event cannot leave a stale schema behind.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CONTRACT_DOCS_DIR } from '../src/contracts/docs';
import { renderAllContractDocs } from '../src/api/openapi';

/** The repository root, whether this runs from scripts/ or from dist/scripts/. */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

async function main(): Promise<void> {
  const root = repositoryRoot();
  const check = process.argv.includes('--check');
  const rendered = await renderAllContractDocs();
  const changed: string[] = [];

  for (const [path, content] of Object.entries(rendered)) {
    const file = join(root, path);
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
    changed.push(path);
    if (!check) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
  for (const file of filesUnder(join(root, CONTRACT_DOCS_DIR))) {
    const path = relative(root, file).split('\\').join('/');
    if (Object.hasOwn(rendered, path)) continue;
    changed.push(path);
    if (!check) rmSync(file);
  }

  if (check && changed.length > 0) {
    console.error(`Stale contract docs (run npm run contract:docs):\n  ${changed.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`${check ? 'checked' : 'wrote'} ${CONTRACT_DOCS_DIR}: ${changed.length} file(s) ${check ? 'stale' : 'changed'}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
