// Goal: the simulator split over two producer processes keeps every promise of the single one (the
// summary's produced count adds up across them, each group consumed it all, the database equals
// every partner's last acknowledged update, the analytics windows match), and the location
// service's live feed (GET /live, Server-Sent Events) streams real positions while the demo runs:
// read with a plain HTTP client, each event's updates are positions the simulator produced for
// that partner, one per partner, newer per partner from event to event and never newer than the
// partner's last acknowledged update; a bbox subscription sees only partners inside its box.

import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { before, describe, test } from 'node:test';
import { readLastUpdates } from '../../src/demo/files.js';
import { Simulator, producerRanges } from '../../src/demo/simulator.js';
import type { LocationUpdate } from '../../src/demo/types.js';
import { makeTempDir } from '../helpers/cleanup.js';
import { checkRun, explainRun, parseSummary, runDemo, type DemoRun } from '../helpers/demo-run.js';

interface LiveEvent {
  atMs: number;
  updates: LocationUpdate[];
}

const EVENTS_WANTED = 5;
const READ_TIMEOUT_MS = 15_000;
const BBOX = { minLon: 13.3, minLat: 52.45, maxLon: 13.4, maxLat: 52.5 };

/** The first `count` `positions` events of an SSE stream (fewer if it ends or times out). */
function readLiveEvents(url: string, count: number): Promise<LiveEvent[]> {
  return new Promise((resolve, reject) => {
    const events: LiveEvent[] = [];
    let buffer = '';
    let response: IncomingMessage | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      response?.destroy();
      resolve(events);
    };
    const timer = setTimeout(finish, READ_TIMEOUT_MS);
    const request = get(url, (res) => {
      response = res;
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        clearTimeout(timer);
        res.destroy();
        return reject(new Error(`GET ${url}: ${res.statusCode} ${res.headers['content-type']}`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0 && events.length < count) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const data = block.find((l) => l.startsWith('data: '));
          if (block.includes('event: positions') && data !== undefined) events.push(JSON.parse(data.slice('data: '.length)) as LiveEvent);
        }
        if (events.length >= count) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('tideline demo gps with two producer processes, read live', { timeout: 100_000 }, () => {
  const partners = 10_000;
  const rate = 10_000;
  const dataDir = makeTempDir('tideline-demo-');
  let run: DemoRun;
  let feeds: Promise<[LiveEvent[], LiveEvent[]]> | undefined;

  before(async () => {
    const args = ['--nodes', '1', '--producers', '2', '--partners', String(partners), '--rate', String(rate), '--window', '2', '--duration', '12'];
    run = await runDemo([...args, '--catch-up-timeout', '20', '--data-dir', dataDir], 80_000, (line) => {
      const address = /(http:\/\/127\.0\.0\.1:\d+)\/live/.exec(line);
      if (address === null || feeds !== undefined) return;
      const bbox = [BBOX.minLon, BBOX.minLat, BBOX.maxLon, BBOX.maxLat].join(',');
      feeds = Promise.all([readLiveEvents(`${address[1]}/live`, EVENTS_WANTED), readLiveEvents(`${address[1]}/live?bbox=${bbox}`, EVENTS_WANTED)]);
    });
  });

  test('the produced count adds up across the producers; database and windows exact', async () => {
    assert.match(run.stdout, /from 2 producer\(s\)/, explainRun(run));
    await checkRun(run, dataDir, partners);
  });

  test('GET /live streams produced positions, one per partner per event, only changes, bbox honoured', async () => {
    assert.ok(feeds !== undefined, `the demo never printed the /live address: ${explainRun(run)}`);
    const [all, boxed] = await feeds;
    assert.equal(all.length, EVENTS_WANTED, 'events on the unfiltered feed');
    assert.equal(boxed.length, EVENTS_WANTED, 'events on the bbox feed');

    // Every position each partner took, replayed from the seed (positions do not depend on timing).
    const rounds = Math.ceil(parseSummary(run.stdout).produced! / partners) + 2;
    const positionsOf = new Map<string, Set<string>>();
    const positionKey = (u: LocationUpdate): string => `${u.lat},${u.lon},${u.speedKmh},${u.heading},${u.status}`;
    for (const range of producerRanges(partners, 2)) {
      const simulator = new Simulator({ partners, ratePerSec: rate, seed: 1, range });
      for (let i = 0; i < rounds * (range.to - range.from); i++) {
        const u = simulator.next(0);
        let set = positionsOf.get(u.partnerId);
        if (set === undefined) positionsOf.set(u.partnerId, (set = new Set()));
        set.add(positionKey(u));
      }
    }
    const lastTs = new Map(readLastUpdates(dataDir).map((u) => [u.partnerId, u.ts]));

    for (const [name, events] of [['all', all], ['bbox', boxed]] as const) {
      const seenTs = new Map<string, number>();
      let updates = 0;
      for (const event of events) {
        const ids = event.updates.map((u) => u.partnerId);
        assert.equal(new Set(ids).size, ids.length, `${name}: one update per partner in an event`);
        for (const u of event.updates) {
          updates++;
          assert.ok(positionsOf.get(u.partnerId)?.has(positionKey(u)), `${name}: ${JSON.stringify(u)} is not a produced position`);
          assert.ok(u.ts > (seenTs.get(u.partnerId) ?? 0), `${name}: ${u.partnerId} sent again without a newer update`);
          assert.ok(u.ts <= lastTs.get(u.partnerId)!, `${name}: ${u.partnerId} newer than its last acknowledged update`);
          seenTs.set(u.partnerId, u.ts);
          if (name === 'bbox') assert.ok(u.lon >= BBOX.minLon && u.lon <= BBOX.maxLon && u.lat >= BBOX.minLat && u.lat <= BBOX.maxLat, JSON.stringify(u));
        }
      }
      assert.ok(updates > 0, `${name}: the feed carried updates`);
    }
    // Both producers' partners were live.
    const halfway = producerRanges(partners, 2)[1]!.from;
    const indexes = all.flatMap((e) => e.updates.map((u) => Number(u.partnerId.slice(1))));
    assert.ok(indexes.some((i) => i < halfway) && indexes.some((i) => i >= halfway), 'updates from both producers');
  });
});
