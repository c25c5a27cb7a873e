// `npm run bench -- peers`: the same produce/consume workload (N records of 100 bytes into one
// stream, then read back from the start) on Tideline, Redis Streams and NATS JetStream, each
// server started here on its own loopback port and scratch dir. Runs are interleaved (round r
// runs every system once), so drift in the shared machine's load hits all of them alike; each
// run records the 1-minute load average when it started, and the servers' CPU time.
//
// Drivers: Tideline with rdkafka_performance (C, acks=1) and kafkajs (Node); Redis with
// redis-benchmark (C, XADD pipelined) and redis-consume.ts (Node, XRANGE loop); NATS with the
// nats.js core connection driving JetStream's publish acks and pull requests (nats-client.ts),
// as Debian ships no `nats bench`.
// Durability at ack, all defaults otherwise: Tideline acks=1 (written to the page cache, no
// fsync; also with the topic's flush.ms=1000, the same bound as Redis's), Redis AOF with
// appendfsync everysec, JetStream file storage with its default sync (every 2 minutes).

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker, type BrokerHandle } from './broker.js';
import { cpuDelta, procCpu, runTimed, totalCpuSec } from './children.js';
import type { ClientRun } from './client-run.js';
import { clientFailure } from './client-run.js';
import { INSTALL_HINT } from './load-tool.js';
import { positiveNumber } from './options.js';
import { peerPrograms, startNats, startRedis, type PeerServer } from './peer-servers.js';
import { parseRedisBenchmarkCsv, parseResultLine } from './peer-output.js';
import { peersTable, ratioTable, type PeerRow, type PeerRowId, type PeerRun } from './peers-report.js';
import { rdkafkaConsume, rdkafkaProduce } from './rdkafka-perf.js';
import { loadNow, runStandalone, type StandaloneContext, type StandaloneOutcome } from './standalone.js';
import { kafkajsProduce } from './throughput.js';
import { createTopic } from './topics.js';

export const PEERS_USAGE = `usage: npm run bench -- peers [options]

  produce/consume 100-byte records on Tideline, Redis Streams and NATS JetStream in one run

options:
  --records N          records per run for every system (default 1000000)
  --kafkajs-records N  records per Tideline kafkajs run (default 500000)
  --runs N             interleaved rounds, median reported (default 3)
  --keep               keep the scratch dir
`;

const RECORD_BYTES = 100;
const REDIS_CLIENTS = 50;
const REDIS_PIPELINE = 100;
const NATS_WINDOW = 4096;

function parsePeersOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '1000000' },
      'kafkajs-records': { type: 'string', default: '500000' },
      runs: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  return {
    records: positiveNumber(values.records, 'records'),
    kafkajsRecords: positiveNumber(values['kafkajs-records'], 'kafkajs-records'),
    runs: positiveNumber(values.runs, 'runs'),
    keep: values.keep,
  };
}

type PeersOptions = NonNullable<ReturnType<typeof parsePeersOptions>>;

const timeoutMs = (records: number): number => 60_000 + records / 2;

interface Measured {
  recordsPerSec: number;
  clientCpuSec: number | null;
}

async function nodeChild(ctx: StandaloneContext, name: string, script: string, args: string[], records: number): Promise<Measured> {
  const run = await runTimed(name, process.execPath, [join(ctx.repoRoot, 'dist', 'bench', script), ...args], { timeoutMs: timeoutMs(records), scratchDir: ctx.scratchDir, cwd: ctx.repoRoot });
  const result = parseResultLine(run.stdout);
  if (run.code !== 0 || !result) throw clientFailure(name, run, result ? undefined : 'no RESULT line');
  if (result.records < records) throw clientFailure(name, run, `${result.records} of ${records} records`);
  return { recordsPerSec: result.records / (Math.max(1, result.elapsedMs) / 1000), clientCpuSec: totalCpuSec(run.cpu) };
}

const fromClientRun = (r: ClientRun): Measured => ({ recordsPerSec: r.recordsPerSec, clientCpuSec: totalCpuSec(r.clientCpu) });

async function body(o: PeersOptions, ctx: StandaloneContext): Promise<StandaloneOutcome> {
  const { repoRoot, tool, scratchDir, log } = ctx;
  if (tool.kind !== 'rdkafka_performance') throw new Error(`the peers benchmark needs rdkafka_performance. ${INSTALL_HINT}`);
  const programs = peerPrograms();
  const rows = new Map<PeerRowId, PeerRow>();
  const row = (id: PeerRowId, system: string, phase: 'produce' | 'consume', client: string, durability: string, records: number): void => {
    rows.set(id, { id, system, phase, client, durability, records, runs: [] });
  };
  const tidelineDurability = 'acks=1: in the page cache, no fsync (default flush policy)';
  const redisDurability = 'AOF, appendfsync everysec';
  const natsDurability = 'file storage, default sync_interval (2 min)';
  row('tideline-produce', 'Tideline', 'produce', 'rdkafka_performance (C)', tidelineDurability, o.records);
  row('tideline-fsync-produce', 'Tideline', 'produce', 'rdkafka_performance (C)', 'acks=1, topic flush.ms=1000: fsync at least once a second', o.records);
  row('tideline-consume', 'Tideline', 'consume', 'rdkafka_performance (C)', '', o.records);
  row('tideline-node-produce', 'Tideline', 'produce', 'kafkajs (Node)', tidelineDurability, o.kafkajsRecords);
  row('redis-produce', 'Redis Streams', 'produce', `redis-benchmark (C), XADD, ${REDIS_CLIENTS} connections × pipeline ${REDIS_PIPELINE}`, redisDurability, o.records);
  row('redis-consume', 'Redis Streams', 'consume', 'XRANGE COUNT 10000 loop (Node)', '', o.records);
  row('nats-produce', 'NATS JetStream', 'produce', `nats.js core connection (Node), ${NATS_WINDOW} publish acks in flight`, natsDurability, o.records);
  row('nats-consume', 'NATS JetStream', 'consume', 'nats.js core connection (Node), pull requests of 10000', '', o.records);

  let broker: BrokerHandle | null = null;
  let redis: PeerServer | null = null;
  let nats: PeerServer | null = null;
  const versions: Record<string, string> = {};
  try {
    broker = await startBroker({ repoRoot, runDir: join(scratchDir, 'tideline'), partitions: 1, profile: false });
    redis = await startRedis(programs.redisServer, join(scratchDir, 'redis'));
    nats = await startNats(programs.natsServer, join(scratchDir, 'nats'));
    versions['redis'] = redis.version;
    versions['nats'] = nats.version;
    log(`Tideline ${broker.bootstrap}, Redis ${redis.version} on ${redis.port}, NATS ${nats.version} on ${nats.port}`);
    const b = broker;
    const serverCpu = { tideline: () => b.cpu(), redis: () => procCpu(redis!.pid), nats: () => procCpu(nats!.pid) };

    const measure = async (id: PeerRowId, server: keyof typeof serverCpu, f: () => Promise<Measured>): Promise<void> => {
      const r = rows.get(id)!;
      if (r.error) return;
      const load1 = loadNow()[0]!;
      const before = serverCpu[server]();
      try {
        const m = await f();
        const run: PeerRun = { recordsPerSec: m.recordsPerSec, mbPerSec: (m.recordsPerSec * RECORD_BYTES) / 1e6, clientCpuSec: m.clientCpuSec, serverCpuSec: totalCpuSec(cpuDelta(before, serverCpu[server]())), load1 };
        r.runs.push(run);
        log(`  ${r.system} ${r.phase} (${r.client.split(' (')[0]}): ${Math.round(m.recordsPerSec).toLocaleString('en-US')} records/s`);
      } catch (err) {
        r.error = (err as Error).message;
        log(`  ${r.system} ${r.phase} FAILED: ${r.error}`);
      }
    };

    const value = 'x'.repeat(RECORD_BYTES);
    for (let round = 1; round <= o.runs; round++) {
      log(`round ${round}/${o.runs}`);
      const topic = `peers-${round}`;
      await createTopic(repoRoot, b.bootstrap, { topic, partitions: 1 }, scratchDir);
      const common = { tool: tool.path, bootstrap: b.bootstrap, topic, records: o.records, scratchDir, timeoutMs: timeoutMs(o.records) };
      await measure('tideline-produce', 'tideline', async () => fromClientRun(await rdkafkaProduce({ ...common, recordBytes: RECORD_BYTES, acks: 1, codec: 'none', lingerMs: 5 })));
      await measure('tideline-consume', 'tideline', async () => fromClientRun(await rdkafkaConsume({ ...common, partitions: 1 })));
      // The same as Redis's appendfsync everysec: an fsync at least once a second.
      const fsyncTopic = `peers-fsync-${round}`;
      await createTopic(repoRoot, b.bootstrap, { topic: fsyncTopic, partitions: 1, configs: { 'flush.ms': '1000' } }, scratchDir);
      await measure('tideline-fsync-produce', 'tideline', async () => fromClientRun(await rdkafkaProduce({ ...common, topic: fsyncTopic, recordBytes: RECORD_BYTES, acks: 1, codec: 'none', lingerMs: 5 })));
      await measure('tideline-node-produce', 'tideline', async () => fromClientRun(await kafkajsProduce(b.bootstrap, `peers-node-${round}`, { repoRoot, kafkajsRecords: o.kafkajsRecords, recordBytes: RECORD_BYTES, scratchDir })));

      const key = `bench-${round}`;
      await measure('redis-produce', 'redis', async () => {
        const args = ['-h', '127.0.0.1', '-p', String(redis!.port), '-n', String(o.records), '-c', String(REDIS_CLIENTS), '-P', String(REDIS_PIPELINE), '--csv', 'XADD', key, '*', 'v', value];
        const run = await runTimed('redis-benchmark', programs.redisBenchmark, args, { timeoutMs: timeoutMs(o.records), scratchDir });
        const rps = parseRedisBenchmarkCsv(run.stdout);
        if (run.code !== 0 || rps === null) throw clientFailure('redis-benchmark', run, rps === null ? 'no CSV result line' : undefined);
        return { recordsPerSec: rps, clientCpuSec: totalCpuSec(run.cpu) };
      });
      await measure('redis-consume', 'redis', () => nodeChild(ctx, 'redis-consume', 'redis-consume.js', ['--port', String(redis!.port), '--key', key, '--records', String(o.records)], o.records));

      const stream = `bench${round}`;
      const natsArgs = ['--server', `127.0.0.1:${nats.port}`, '--stream', stream, '--records', String(o.records), '--record-bytes', String(RECORD_BYTES), '--window', String(NATS_WINDOW)];
      await measure('nats-produce', 'nats', () => nodeChild(ctx, 'nats produce', 'nats-client.js', ['produce', ...natsArgs], o.records));
      await measure('nats-consume', 'nats', () => nodeChild(ctx, 'nats consume', 'nats-client.js', ['consume', ...natsArgs], o.records));
    }
  } finally {
    await nats?.stop();
    await redis?.stop();
    await broker?.stop();
  }
  const all = [...rows.values()];
  return {
    result: { versions, recordBytes: RECORD_BYTES, peers: all },
    tables: [
      `Same workload on each system, ${o.runs} interleaved rounds: ${o.records.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes into one stream (Tideline: a 1-partition topic), then read back from the start. Redis ${versions['redis'] ?? '?'}, NATS ${versions['nats'] ?? '?'}.`,
      peersTable(all),
      ratioTable(all),
    ],
    isFailed: all.some((r) => r.error !== undefined),
  };
}

export async function runPeersBench(argv: string[]): Promise<number> {
  const o = parsePeersOptions(argv);
  if (!o) {
    process.stdout.write(PEERS_USAGE);
    return 0;
  }
  return runStandalone('peers', o, (ctx) => body(o, ctx), { keep: o.keep });
}
