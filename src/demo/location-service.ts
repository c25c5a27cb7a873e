// location-service: keeps every partner's latest position in memory, indexed by a spatial grid,
// and answers GET /partners/:id and GET /nearby?lat=&lon=&radiusKm=[&limit=], and streams the
// positions as they change on GET /live (Server-Sent Events, live-sse.ts). Its state is
// rebuilt from the log on start (autocommit is enough: a replay only re-applies updates, and the
// index keeps the newer of two). With several members each one holds the partners of its own
// partitions, so a partner is found on the member that holds the partner's partition.

import { everySecond, onStopRequest, sendStats } from './child-ipc.js';
import type { ChildConfig } from './config.js';
import { ServiceConsumer, type LocationMessage } from './consumer.js';
import { badRequest, startJsonServer, type Route } from './http.js';
import { startLiveStream } from './live-sse.js';
import { SpatialIndex } from './spatial-index.js';
import type { LocationUpdate } from './types.js';

const NEARBY_LIMIT_DEFAULT = 50;
const NEARBY_RADIUS_KM_MAX = 50;

export function locationRoutes(index: SpatialIndex): Route[] {
  const partner: Route = (url) => {
    const match = /^\/partners\/([^/]+)$/.exec(url.pathname);
    if (match === null) return undefined;
    const update = index.get(decodeURIComponent(match[1]!));
    return update === undefined ? { status: 404, body: { error: 'unknown partner' } } : { status: 200, body: update };
  };
  const nearby: Route = (url) => {
    if (url.pathname !== '/nearby') return undefined;
    const lat = Number(url.searchParams.get('lat'));
    const lon = Number(url.searchParams.get('lon'));
    const radiusKm = Number(url.searchParams.get('radiusKm') ?? '1');
    const limit = Number(url.searchParams.get('limit') ?? NEARBY_LIMIT_DEFAULT);
    if (![lat, lon, radiusKm, limit].every(Number.isFinite) || url.searchParams.get('lat') === null || url.searchParams.get('lon') === null) {
      return badRequest('lat and lon are required numbers');
    }
    if (radiusKm <= 0 || radiusKm > NEARBY_RADIUS_KM_MAX) return badRequest(`radiusKm must be in (0, ${NEARBY_RADIUS_KM_MAX}]`);
    const partners = index.nearby(lat, lon, radiusKm, Math.max(1, Math.floor(limit)));
    return { status: 200, body: { count: partners.length, partners } };
  };
  const stats: Route = (url) => (url.pathname === '/stats' ? { status: 200, body: { partners: index.size } } : undefined);
  return [partner, nearby, stats];
}

export async function runLocationService(config: ChildConfig): Promise<void> {
  const index = new SpatialIndex();
  const live = startLiveStream();
  const server = await startJsonServer(locationRoutes(index), [live.route]);
  let events = 0;
  const sc = await ServiceConsumer.start(config, 'location-service', true, {
    onMessage(message: LocationMessage) {
      const update = JSON.parse(message.value) as LocationUpdate;
      if (index.upsert(update)) live.feed.record(update);
      events++;
    },
  });
  const report = (isFinal = false): void =>
    sendStats({ name: 'location-service', member: config.member, events, httpPort: server.port, partitions: sc.partitions(), restarts: sc.restarts, isFinal });
  const stopReports = everySecond(report);
  await new Promise<void>((resolve) => onStopRequest(resolve));
  stopReports();
  await sc.close();
  live.stop();
  await server.close();
  report(true);
}
