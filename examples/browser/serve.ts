/**
 * `npm run example:browser`: builds the browser example and serves it on this machine, printing the
 * URL to open. Stop it with Ctrl+C.
 *
 *   npm run example:browser -- [--port 8080]
 */
import { buildBrowserExample, BROWSER_EXAMPLE_ROOT } from './build.js';
import { serveStatic } from './staticServer.js';
import { setUpScript } from '../../scripts/scriptSetup.js';

setUpScript('browser/serve');

const args = process.argv.slice(2);
const i = args.indexOf('--port');
const port = Number(i >= 0 ? args[i + 1] : '8080');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer in [0, 65535], got ${JSON.stringify(args[i + 1])}`);
  process.exit(2);
}

const { bundleBytes } = await buildBrowserExample();
console.log(`built examples/browser/dist/main.js (${(bundleBytes / 1e6).toFixed(1)} MB with tfjs and its backends)`);
const server = await serveStatic(BROWSER_EXAMPLE_ROOT, { port });
console.log(`serving examples/browser at ${server.url}`);
console.log(`open ${server.url} (webgl), or choose a backend: ${['wasm', 'webgpu', 'cpu'].map((b) => `${server.url}?backend=${b}`).join('  ')}`);
console.log('Ctrl+C stops the server');
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
