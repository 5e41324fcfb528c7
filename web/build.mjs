// Bundles the dashboard with esbuild: src/main.js and src/app.css (with Leaflet's and uPlot's
// styles, their images inlined as data: URLs) into OUT/app.js and OUT/app.css, and copies
// src/index.html. One self-contained set of files: the page makes no request elsewhere.
// Usage: node build.mjs OUT_DIR
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
	console.error('usage: node build.mjs OUT_DIR');
	process.exit(2);
}
mkdirSync(out, { recursive: true });

const common = {
	bundle: true,
	minify: true,
	sourcemap: false,
	legalComments: 'none',
	logLevel: 'warning',
	// browsers of the last few years, tablets' included
	target: ['es2020'],
	loader: { '.png': 'dataurl', '.svg': 'dataurl', '.gif': 'dataurl' },
};

await esbuild.build({
	...common,
	entryPoints: [join(here, 'src', 'main.js')],
	outfile: join(out, 'app.js'),
	format: 'iife',
});
await esbuild.build({
	...common,
	entryPoints: [join(here, 'src', 'app.css')],
	outfile: join(out, 'app.css'),
});
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
