// The console's HTTP plumbing over node:http: a route table matched by method and path pattern,
// JSON in and out, Server-Sent Events, and the built front end served as static files. Errors
// become JSON `{ error }` answers: a KafkaError's message with 400 for a request the cluster
// refused (a bad topic name, a group with members) or 502 when the cluster could not answer;
// a ConsoleRequestError for a bad request from the page itself.
//
// Other web pages the user opens can reach a console on loopback. So requests whose Host is not
// one this console answers to are refused (DNS rebinding), a changing request from another
// origin is refused, and bodies must be JSON by content type: a page may send a cross-site
// text/plain POST without asking first, but not an application/json one.

import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { Logger } from '../common/logger.js';
import { KafkaError } from '../protocol/errors.js';

export class ConsoleRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}

/** A JSON result, or undefined when the handler answered itself (SSE, text). */
export type RouteHandler = (r: RouteRequest) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

const BODY_BYTES_MAX = 1 << 20;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

export class Router {
  private readonly routes: Route[] = [];
  /** Host header values accepted; null accepts any (a console bound to every interface). */
  private allowedHosts: Set<string> | null = new Set();

  constructor(
    private readonly staticDir: string,
    private readonly logger: Logger,
  ) {}

  /** `path` segments starting with `:` are parameters, e.g. `/api/topics/:topic`. */
  on(method: string, path: string, handler: RouteHandler): void {
    const names: string[] = [];
    const source = path.split('/').map((seg) => {
      if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(seg.slice(1));
      return '([^/]+)';
    }).join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
  }

  /** Once bound: the host:port values a browser may name in Host (null: any, for 0.0.0.0 or ::). */
  allowHosts(hosts: string[] | null): void {
    this.allowedHosts = hosts === null ? null : new Set(hosts.map((h) => h.toLowerCase()));
  }

  /** Never rejects: every failure becomes an answer. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path = '?';
    try {
      const url = new URL(req.url ?? '/', 'http://console');
      path = url.pathname;
      const foreign = this.foreignRequest(req);
      if (foreign !== null) throw new ConsoleRequestError(foreign, 403);
      for (const route of this.routes) {
        if (route.method !== req.method) continue;
        const m = route.pattern.exec(url.pathname);
        if (m === null) continue;
        const params = Object.fromEntries(route.names.map((n, i) => [n, decodeParam(m[i + 1]!)]));
        const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
        const result = await route.handler({ params, query: url.searchParams, body, req, res });
        if (result !== undefined && !res.headersSent) sendJson(res, 200, result);
        return;
      }
      if (req.method === 'GET' && !url.pathname.startsWith('/api/')) return this.serveStatic(url.pathname, res);
      sendJson(res, 404, { error: `no ${req.method} ${url.pathname}` });
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof ConsoleRequestError) return sendJson(res, err.status, { error: err.message });
      if (err instanceof KafkaError) return sendJson(res, err.retriable ? 502 : 400, { error: err.message });
      if (err instanceof TypeError && path === '?') return sendJson(res, 400, { error: 'bad request URL' });
      this.logger.warn({ err, path }, 'console request failed');
      sendJson(res, 500, { error: (err as Error).message });
    }
  }

  /** Why a request that did not come from this console's own pages is refused, or null. */
  private foreignRequest(req: IncomingMessage): string | null {
    const host = (req.headers.host ?? '').toLowerCase();
    if (this.allowedHosts !== null && !this.allowedHosts.has(host)) return `the console does not answer to host "${host}"`;
    if (req.method === 'GET' || req.method === 'HEAD') return null;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let originHost: string;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        return 'bad Origin header';
      }
      if (originHost !== host) return `requests from ${origin} may not change the cluster`;
    } else if (origin === 'null') {
      return 'requests from an opaque origin may not change the cluster';
    }
    if ((req.method === 'POST' || req.method === 'PUT') && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return 'send the request body as content-type: application/json';
    }
    return null;
  }

  /** The built front end; any path that is not a file gets index.html (the page routes itself). */
  private serveStatic(pathname: string, res: ServerResponse): void {
    const relative = normalize(decodeParam(pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(this.staticDir, relative);
    if (!file.startsWith(this.staticDir) || !existsSync(file) || statSync(file).isDirectory()) file = join(this.staticDir, 'index.html');
    if (!existsSync(file)) {
      sendJson(res, 500, { error: 'the console front end is not built; run npm run build' });
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    // The file can vanish under a rebuild of the front end: end this answer, never the process.
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }
}

function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConsoleRequestError(`bad escape in "${text}"`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_BYTES_MAX) {
        reject(new ConsoleRequestError('request body too large', 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve({});
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        reject(new ConsoleRequestError(`request body is not JSON: ${(err as Error).message}`));
        return;
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) resolve(body);
      else reject(new ConsoleRequestError('request body must be a JSON object'));
    });
    req.on('error', reject);
  });
}

export interface EventStream {
  send(data: unknown, event?: string): void;
  readonly isClosed: boolean;
  onClose(fn: () => void): void;
}

/** Opens a Server-Sent Events stream on `res`; a comment every 15 s keeps proxies from closing it. */
export function openEventStream(req: IncomingMessage, res: ServerResponse): EventStream {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  let isClosed = false;
  const closers: (() => void)[] = [];
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    clearInterval(keepAlive);
    for (const fn of closers) fn();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send(data, event) {
      if (isClosed) return;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    get isClosed() {
      return isClosed;
    },
    onClose(fn) {
      if (isClosed) fn();
      else closers.push(fn);
    },
  };
}

/** Sends `produce()` on the stream now and every `intervalMs` until the page goes away. */
export function streamEvery(stream: EventStream, intervalMs: number, produce: () => Promise<unknown>, logger: Logger): void {
  let isRunning = false;
  const tick = (): void => {
    if (isRunning || stream.isClosed) return;
    isRunning = true;
    produce().then(
      (data) => stream.send(data),
      (err: unknown) => {
        logger.debug({ err }, 'console stream update failed');
        stream.send({ error: (err as Error).message }, 'failure');
      },
    ).finally(() => (isRunning = false));
  };
  const timer = setInterval(tick, intervalMs);
  stream.onClose(() => clearInterval(timer));
  tick();
}
