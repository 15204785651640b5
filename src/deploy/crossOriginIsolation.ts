/**
 * Response headers that make a page cross-origin isolated (`self.crossOriginIsolated === true`), the
 * condition browsers set for `SharedArrayBuffer` and so for threaded WebAssembly (the tfjs wasm
 * backend's and ONNX Runtime Web's thread pools): `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp` on the HTML document (and, harmlessly, on everything
 * else the server sends). With `require-corp`, every cross-origin resource the page loads must opt in
 * (`Cross-Origin-Resource-Policy` or CORS); same-origin files need nothing.
 *
 * @example
 * ```ts
 * import { CROSS_ORIGIN_ISOLATION_HEADERS } from 'ske2grid';
 * declare const res: { setHeader(name: string, value: string): void }; // e.g. a node:http response
 * for (const [name, value] of Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS)) res.setHeader(name, value);
 * ```
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<'Cross-Origin-Opener-Policy' | 'Cross-Origin-Embedder-Policy', string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});
