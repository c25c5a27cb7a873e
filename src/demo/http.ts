// A minimal JSON-over-HTTP server on loopback for the demo services: GET routes only, a 404 for
// anything else, and a 400 for bad query parameters. The port is chosen by the OS. A stream
// route (the location service's Server-Sent Events feed) takes the response over and keeps it.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Route = (url: URL) => { status: number; body: unknown } | undefined;
/** Answers the request itself and returns true, or returns false to let the JSON routes try. */
export type StreamRoute = (url: URL, req: IncomingMessage, res: ServerResponse) => boolean;

export interface JsonServer {
  port: number;
  close(): Promise<void>;
}

export async function startJsonServer(routes: Route[], streams: StreamRoute[] = []): Promise<JsonServer> {
  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request URL"}');
      return;
    }
    if (req.method === 'GET' && streams.some((stream) => stream(url, req, res))) return;
    let answer: { status: number; body: unknown } | undefined;
    if (req.method === 'GET') {
      for (const route of routes) {
        answer = route(url);
        if (answer !== undefined) break;
      }
    }
    answer ??= { status: 404, body: { error: 'not found' } };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open streams (and idle keep-alive sockets) would hold close() forever.
        server.closeAllConnections();
      }),
  };
}

export function badRequest(message: string): { status: number; body: unknown } {
  return { status: 400, body: { error: message } };
}
