/**
 * A minimal static file server for the browser example (node:http, loopback only): GET/HEAD of files
 * under one root folder, with the content types the page needs (`.wasm` as `application/wasm` so
 * browsers compile it while streaming). Paths outside the root are refused. Every response carries the
 * cross-origin isolation headers (unless `isolated: false`), so the tfjs wasm backend runs threads.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '../../src/index.js';

/** Content type of each served file extension; anything else is `application/octet-stream`. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
};

/** Options of {@link serveStatic}. */
export interface ServeStaticOptions {
  /** Port; default 0 (any free port). */
  port?: number;
  /** Host to listen on; default `'127.0.0.1'` (this machine only). */
  host?: string;
  /** Send the cross-origin isolation headers (COOP same-origin, COEP require-corp), so wasm threads can start; default true. */
  isolated?: boolean;
}

/** A running {@link serveStatic} server. */
export interface StaticServer {
  /** Base URL, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Serves the files under `root` (a folder request serves its `index.html`); see {@link ServeStaticOptions}. */
export async function serveStatic(root: string, options: ServeStaticOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  const isolated = options.isolated ?? true;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request path');
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('outside the served folder');
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const { size } = statSync(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': size,
        'cache-control': 'no-store',
        ...(isolated ? CROSS_ORIGIN_ISOLATION_HEADERS : {}),
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, bad) => {
    server.once('error', bad);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
