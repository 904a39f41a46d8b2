// `npm run build`: tsc compiles TypeScript only; the console's static files go next to the compiled plugin.
// An argument names another build folder (the fault suite builds into its own).
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
const to = join(process.argv[2] ?? join(root, 'dist'), 'src', 'console', 'assets');
rmSync(to, { recursive: true, force: true });
cpSync(join(root, 'src', 'console', 'assets'), to, { recursive: true });
