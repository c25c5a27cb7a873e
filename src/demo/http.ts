// A minimal JSON-over-HTTP server on loopback for the demo services: GET routes only, a 404 for
// anything else, and a 400 for bad query parameters. The port is chosen by the OS unless given.

import { createServer, type Server } from 'node:http';

export type Route = (url: URL) => { status: number; body: unknown } | undefined;

export interface JsonServer {
  port: number;
  close(): Promise<void>;
}

export async function startJsonServer(routes: Route[], port = 0): Promise<JsonServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function badRequest(message: string): { status: number; body: unknown } {
  return { status: 400, body: { error: message } };
}
