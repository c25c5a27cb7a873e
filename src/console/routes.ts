// The console's HTTP API, one line per route; the views do the work. Live pages use the SSE
// routes (`/live`, `/tail`): each open page costs one cluster look per second, nothing when
// no page is open.

import type { Router } from './http.js';
import { ConsoleRequestError, openEventStream, streamEvery } from './http.js';
import type { ConsoleContext } from './context.js';
import { alterTopicConfigs, brokersView, createTopic, overview, TopicRates, topicsView, topicView } from './cluster-view.js';
import { groupLag, groupsView, resetGroupOffsets } from './groups-view.js';
import { browse, parseBrowseQuery, produceTestRecord, tail } from './messages-view.js';
import { GpsMapFeed, MAP_GEOMETRY } from './gps-map.js';
import { createRegistry } from './prometheus.js';

const LIVE_INTERVAL_MS = 1000;

export function defineRoutes(router: Router, ctx: ConsoleContext): void {
  const rates = new TopicRates();
  const map = new GpsMapFeed(ctx);
  const registry = createRegistry(ctx);
  const live = (produce: () => Promise<unknown>) => ({ req, res }: { req: import('node:http').IncomingMessage; res: import('node:http').ServerResponse }) => {
    streamEvery(openEventStream(req, res), LIVE_INTERVAL_MS, produce, ctx.logger);
    return undefined;
  };

  router.on('GET', '/metrics', async ({ res }) => {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(text);
  });
  router.on('GET', '/api/overview', () => overview(ctx));
  router.on('GET', '/api/overview/live', live(() => overview(ctx)));
  router.on('GET', '/api/topics', () => topicsView(ctx, rates));
  router.on('GET', '/api/topics/live', live(() => topicsView(ctx, rates)));
  router.on('POST', '/api/topics', ({ body }) => createTopic(ctx, body as object));
  router.on('GET', '/api/topics/:topic', ({ params }) => topicView(ctx, params.topic!));
  router.on('DELETE', '/api/topics/:topic', async ({ params }) => {
    await ctx.admin.deleteTopics([params.topic!]);
    return { deleted: params.topic };
  });
  router.on('POST', '/api/topics/:topic/configs', ({ params, body }) => alterTopicConfigs(ctx, params.topic!, body as object));
  router.on('POST', '/api/topics/:topic/messages', ({ params, body }) => produceTestRecord(ctx, params.topic!, body as object));
  router.on('GET', '/api/topics/:topic/partitions/:partition/messages', ({ params, query }) => browse(ctx, parseBrowseQuery(params.topic!, params.partition!, query)));
  router.on('GET', '/api/topics/:topic/partitions/:partition/tail', ({ params, query, req, res }) => {
    const q = parseBrowseQuery(params.topic!, params.partition!, query);
    const from = typeof q.from === 'object' && 'offset' in q.from ? q.from.offset : null;
    const stream = openEventStream(req, res);
    void tail(ctx, q.topic, q.partition, from, stream).catch((err: unknown) => {
      stream.send({ error: (err as Error).message }, 'failure');
      res.end();
    });
    return undefined;
  });
  router.on('GET', '/api/groups', () => groupsView(ctx));
  router.on('GET', '/api/groups/:group', ({ params }) => groupLag(ctx, params.group!));
  router.on('GET', '/api/groups/:group/live', ({ params, req, res }) => live(() => groupLag(ctx, params.group!))({ req, res }));
  router.on('POST', '/api/groups/:group/reset-offsets', ({ params, body }) => resetGroupOffsets(ctx, params.group!, body as object));
  router.on('DELETE', '/api/groups/:group', async ({ params }) => {
    await ctx.admin.deleteGroup(params.group!);
    return { deleted: params.group };
  });
  router.on('GET', '/api/brokers', () => brokersView(ctx));
  router.on('GET', '/api/brokers/:id/configs', ({ params }) => {
    if (!/^\d+$/.test(params.id!)) throw new ConsoleRequestError(`bad broker id ${params.id}`);
    return ctx.admin.describeConfigs('broker', params.id!);
  });
  router.on('GET', '/api/map/geometry', () => MAP_GEOMETRY);
  router.on('GET', '/api/map/live', live(() => map.snapshot()));
}
