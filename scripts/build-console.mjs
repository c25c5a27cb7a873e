// Builds the web console's front end (src/console/ui) into dist/console-ui: one bundled, minified
// app.js and app.css (uPlot included; nothing is loaded from elsewhere at run time) plus
// index.html. The console server (src/console/index.ts) serves that folder.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'console', 'ui');
const out = join(root, 'dist', 'console-ui');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(source, 'main.js') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir: out,
  logLevel: 'warning',
});
copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
