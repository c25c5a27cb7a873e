// The shell of the live feed (live-feed.ts): `GET /live[?bbox=minLon,minLat,maxLon,maxLat]` as
// Server-Sent Events. Every LIVE_INTERVAL_MS each subscriber gets one `positions` event holding
// the partners that reported since its previous event (nothing when none did):
//
//   event: positions
//   data: {"atMs":1700000000000,"updates":[{"partnerId":"p000042","lat":…,"lon":…,…},…]}
//
// A map draws the fleet from GET /nearby once and then applies these events. A socket whose
// write buffer is full is skipped until it drains; a comment line every KEEPALIVE_MS keeps idle
// connections (and proxies) open.

import type { ServerResponse } from 'node:http';
import { LiveFeed, parseBbox, type LiveSubscriber } from './live-feed.js';
import type { StreamRoute } from './http.js';

export const LIVE_INTERVAL_MS = 300;
const KEEPALIVE_MS = 15_000;
const SUBSCRIBERS_MAX = 16;

export interface LiveStream {
  feed: LiveFeed;
  route: StreamRoute;
  stop(): void;
}

export function startLiveStream(): LiveStream {
  const feed = new LiveFeed(SUBSCRIBERS_MAX);
  const responses = new Map<LiveSubscriber, ServerResponse>();
  const route: StreamRoute = (url, req, res) => {
    if (url.pathname !== '/live') return false;
    const bbox = parseBbox(url.searchParams.get('bbox'));
    if (typeof bbox === 'string') return refuse(res, 400, bbox);
    const subscriber = feed.subscribe(bbox);
    if (subscriber === undefined) return refuse(res, 503, `at most ${SUBSCRIBERS_MAX} live subscribers`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`retry: 1000\n: ${LIVE_INTERVAL_MS} ms batches\n\n`);
    responses.set(subscriber, res);
    res.on('drain', () => (subscriber.isBlocked = false));
    req.on('close', () => {
      feed.unsubscribe(subscriber);
      responses.delete(subscriber);
    });
    return true;
  };
  const flushTimer = setInterval(() => {
    const atMs = Date.now();
    for (const { subscriber, updates } of feed.flush()) {
      const isWritten = responses.get(subscriber)?.write(`event: positions\ndata: ${JSON.stringify({ atMs, updates })}\n\n`);
      if (isWritten === false) subscriber.isBlocked = true;
    }
  }, LIVE_INTERVAL_MS);
  const keepaliveTimer = setInterval(() => {
    for (const res of responses.values()) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  return {
    feed,
    route,
    stop() {
      clearInterval(flushTimer);
      clearInterval(keepaliveTimer);
      for (const res of responses.values()) res.end();
      responses.clear();
    },
  };
}

function refuse(res: ServerResponse, status: number, error: string): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
  return true;
}
