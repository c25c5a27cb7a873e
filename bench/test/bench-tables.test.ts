// Goal: the peers and footprint tables show medians, Tideline's ratio to each peer, failures and
// the RSS-per-GB-retained slope as documented, and the latency table ack and end-to-end
// percentiles side by side, from plain result objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { footprintTables, rssGrowthPerGB, type FootprintResult } from '../footprint-report.js';
import { medianRate, peersTable, ratioTable, type PeerRow } from '../peers-report.js';
import type { LatencyRow } from '../latency.js';
import { latencyTable } from '../report.js';

const run = (recordsPerSec: number) => ({ recordsPerSec, mbPerSec: recordsPerSec / 1e4, clientCpuSec: 1, serverCpuSec: 0.5, load1: 1.25 });
const rows: PeerRow[] = [
  { id: 'tideline-produce', system: 'Tideline', phase: 'produce', client: 'c', durability: 'd', records: 10, runs: [run(900), run(1000), run(1100)] },
  { id: 'redis-produce', system: 'Redis Streams', phase: 'produce', client: 'c', durability: 'd', records: 10, runs: [run(400), run(500), run(600)] },
  { id: 'nats-produce', system: 'NATS JetStream', phase: 'produce', client: 'c', durability: 'd', records: 10, runs: [run(100)], error: 'nats produce timed out' },
];

test('peers: medians, ratios, and a failed peer shown as such', () => {
  assert.equal(medianRate(rows[0]), 1000);
  assert.equal(medianRate(rows[2]), null);
  const ratios = ratioTable(rows, [
    { label: 'vs Redis', tideline: 'tideline-produce', peer: 'redis-produce' },
    { label: 'vs NATS', tideline: 'tideline-produce', peer: 'nats-produce' },
  ]);
  assert.match(ratios, /\| vs Redis \| 1,000 \| 500 \| \*\*2\.00×\*\* \|/);
  assert.match(ratios, /\| vs NATS \| 1,000 \| – \| – \|/);
  const table = peersTable(rows);
  assert.match(table, /\| Redis Streams \| produce \| c \| d \| 10 \| 500 \| 0\.1 \| 400, 500, 600 \| 1\.00 \| 0\.50 \| 1\.3, 1\.3, 1\.3 \|/);
  assert.match(table, /\| NATS JetStream \| produce .* failed \| \| nats produce timed out \|/);
});

test('footprint: targets marked, retained rows and slope', () => {
  const r: FootprintResult = {
    startToReadyMs: { runs: [300, 250, 400], median: 300 },
    idleRssSoonMiB: 90,
    idleRssMiB: 70,
    load: { records: 1000, peakRssMiB: 150, medianRssMiB: 120, recordsPerSec: 1e6 },
    retained: [
      { retainedMB: 200, rssMiB: 100, peakRssMiB: 150 },
      { retainedMB: 700, rssMiB: 101, peakRssMiB: 150 },
      { retainedMB: 1200, rssMiB: 102, peakRssMiB: 150 },
    ],
    partitions: [{ partitions: 1004, state: 'created, empty', rssMiB: 130 }],
  };
  assert.ok(Math.abs(rssGrowthPerGB(r.retained) - 2) < 1e-9);
  // A GC dip in the middle does not tilt the slope of a flat series.
  assert.ok(Math.abs(rssGrowthPerGB([{ retainedMB: 0, rssMiB: 100, peakRssMiB: 0 }, { retainedMB: 500, rssMiB: 60, peakRssMiB: 0 }, { retainedMB: 1000, rssMiB: 100, peakRssMiB: 0 }])) < 1e-9);
  assert.ok(Number.isNaN(rssGrowthPerGB(r.retained.slice(0, 1))));
  const [summary, retained, partitions] = footprintTables(r);
  assert.match(summary!, /\| start to ready \(median of 3; runs 300, 250, 400 ms\) \| 300 ms \| < 1,000 ms \(met\) \|/);
  assert.match(summary!, /\| idle RSS, 7–10 s after ready \(lowest sample\) \| 70\.0 MiB \| < 80 MB \(met\) \|/);
  assert.match(retained!, /\| 1,200 \| 102\.0 \| 150\.0 \|/);
  assert.match(retained!, /100\.0–102\.0 MiB; least-squares slope 2\.0 MiB per GB retained/);
  assert.match(partitions!, /\| 1,004 \| created, empty \| 130\.0 \|/);
});

test('latency: ack and end-to-end percentiles side by side, a failed point says why', () => {
  const summary = (p50: number, p99: number) => ({ samples: 400, p50, p99, p999: p99 + 1, max: p99 + 2, mean: p50 });
  const clientRun = { client: 'paced_producer', records: 500, payloadBytes: 50_000, elapsedMs: 10_000, recordsPerSec: 50, mbPerSec: 0.005, clientCpu: { userSec: 1, sysSec: 0.5 }, clientMaxRssKb: null, wallMs: 10_500 };
  const rows: LatencyRow[] = [
    { targetRate: 50_000, lingerMs: 1, achievedRate: 49_999, latencyMs: summary(2.3, 9.9), endToEndMs: summary(2.4, 13.6), droppedWarmupSamples: 100, run: clientRun, brokerCpu: { userSec: 8, sysSec: 2 } },
    { targetRate: 100_000, lingerMs: 1, achievedRate: 0, latencyMs: null, endToEndMs: null, droppedWarmupSamples: 0, run: null, brokerCpu: null, error: 'paced_producer exited 2\nmore' },
  ];
  const table = latencyTable(rows);
  assert.match(table, /\| end-to-end p50 ms \| end-to-end p99 ms \|/);
  assert.match(table, /\| 50,000 \| 49,999 \| all \| 1 \| 2\.30 \| 9\.90 \| 10\.90 \| 11\.90 \| 2\.40 \| 13\.60 \| 14\.60 \| 15\.60 \| 400 \| 1\.50 \| 10\.00 \|/);
  assert.match(table, /\| 100,000 \| failed \| all \| 1 \|.*\| paced_producer exited 2 \|$/m);
});
