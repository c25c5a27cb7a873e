// Transcript driver for the classic group tests: named clients send requests written as short
// commands, and every response (immediate or released from parking) comes back as one line, so
// a test reads like a log of the protocol:
//
//   { t: 0, do: 'join a', out: ['join(a) MEMBER_ID_REQUIRED id=a-1'] }
//
// Commands (options are key=value; a client's member id and generation default to what its
// last responses told it, as a real client keeps them):
//   join <c> [v=5] [id=<memberId>|id=-] [instance=<id>] [protocols=range,roundrobin] [meta=<s>]
//            [type=consumer] [session=10000] [rebalance=30000]
//   sync <c> [gen=<n>] [name=<protocol>] [<client>=<assignment> ...]   (assignment text, e.g. a=0,1)
//   heartbeat <c> [gen=<n>] [id=<memberId>]
//   leave <c> [<c2> ...] | leave instance=<id>
//   expire
// Output lines: `join(c) NONE id=a-1 gen=1 range leader=a-1 members=[a-1,b-2]`, `join(c) <ERROR> [id=..]`,
// `sync(c) NONE 0,1`, `sync(c) <ERROR>`, `heartbeat(c) <ERROR>`, `leave(<memberId>) <ERROR>`,
// and `persist` when the output asks the shell to write the group.

import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common/logger.js';
import { errorInfo } from '../../../src/protocol/errors.js';
import { ClassicGroup, type ClassicGroupConfig, type Completion, type GroupOutput } from '../../../src/group/classic/index.js';

export const testConfig: ClassicGroupConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  maxSize: 100,
};

export interface Step {
  t: number;
  do: string;
  out?: string[];
  /** e.g. 'Stable gen=1' */
  state?: string;
}

interface Client {
  memberId: string;
  generationId: number;
  instanceId: string | null;
}

export class Harness {
  readonly group: ClassicGroup;
  readonly clients = new Map<string, Client>();
  private readonly requests = new Map<number, { client: string; kind: 'join' | 'sync' }>();
  private nextRequestId = 1;
  private ids = 0;

  constructor(config: Partial<ClassicGroupConfig> = {}, group?: ClassicGroup) {
    this.group = group ?? new ClassicGroup('g', { ...testConfig, ...config }, () => String(++this.ids), silentLogger);
  }

  client(name: string): Client {
    let c = this.clients.get(name);
    if (c === undefined) this.clients.set(name, (c = { memberId: '', generationId: -1, instanceId: null }));
    return c;
  }

  /** Run steps in order, checking each step's output lines and, if given, the state after it. */
  replay(steps: Step[]): void {
    for (const [i, step] of steps.entries()) {
      const out = this.run(step.t, step.do);
      const where = `step ${i} (t=${step.t} ${step.do})`;
      assert.deepEqual(out, step.out ?? [], `${where}: output`);
      if (step.state !== undefined) assert.equal(`${this.group.state} gen=${this.group.generationId}`, step.state, `${where}: state`);
    }
  }

  run(t: number, command: string): string[] {
    const [verb, ...words] = command.trim().split(/\s+/);
    const opts = new Map<string, string>();
    const args: string[] = [];
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq > 0) opts.set(w.slice(0, eq), w.slice(eq + 1));
      else args.push(w);
    }
    switch (verb) {
      case 'join':
        return this.join(t, args[0]!, opts);
      case 'sync':
        return this.sync(t, args[0]!, opts);
      case 'heartbeat':
        return this.heartbeat(t, args[0]!, opts);
      case 'leave':
        return this.leave(t, args, opts);
      case 'expire':
        return this.lines(this.group.expire(t));
      default:
        throw new Error(`unknown command ${command}`);
    }
  }

  private join(t: number, name: string, opts: Map<string, string>): string[] {
    const c = this.client(name);
    if (opts.has('instance')) c.instanceId = opts.get('instance')!;
    const id = opts.get('id');
    const requestId = this.track(name, 'join');
    const meta = opts.get('meta') ?? name;
    return this.lines(
      this.group.join(t, {
        requestId,
        apiVersion: Number(opts.get('v') ?? 5),
        memberId: id === '-' ? '' : (id ?? c.memberId),
        groupInstanceId: c.instanceId,
        clientId: name,
        clientHost: `/10.0.0.${name.charCodeAt(0) % 200}`,
        sessionTimeoutMs: Number(opts.get('session') ?? 10_000),
        rebalanceTimeoutMs: Number(opts.get('rebalance') ?? 30_000),
        protocolType: opts.get('type') ?? 'consumer',
        protocols: (opts.get('protocols') ?? 'range')
          .split(',')
          .filter((p) => p !== '')
          .map((p) => ({ name: p, metadata: Buffer.from(meta) })),
        reason: null,
      }),
    );
  }

  private sync(t: number, name: string, opts: Map<string, string>): string[] {
    const c = this.client(name);
    const assignments = [...opts]
      .filter(([k]) => !['gen', 'name', 'id'].includes(k))
      .map(([client, text]) => ({ memberId: this.client(client).memberId, assignment: Buffer.from(text) }));
    return this.lines(
      this.group.sync(t, {
        requestId: this.track(name, 'sync'),
        memberId: opts.get('id') ?? c.memberId,
        generationId: Number(opts.get('gen') ?? c.generationId),
        groupInstanceId: c.instanceId,
        protocolType: 'consumer',
        protocolName: opts.get('name') ?? null,
        assignments,
      }),
    );
  }

  private heartbeat(t: number, name: string, opts: Map<string, string>): string[] {
    const c = this.client(name);
    const { errorCode } = this.group.heartbeat(t, {
      memberId: opts.get('id') ?? c.memberId,
      generationId: Number(opts.get('gen') ?? c.generationId),
      groupInstanceId: c.instanceId,
    });
    return [`heartbeat(${name}) ${errorInfo(errorCode).name}`];
  }

  private leave(t: number, names: string[], opts: Map<string, string>): string[] {
    const members = names.map((n) => ({ memberId: this.client(n).memberId, groupInstanceId: this.client(n).instanceId, reason: null }));
    if (opts.has('instance')) members.push({ memberId: '', groupInstanceId: opts.get('instance')!, reason: null });
    const { response, output } = this.group.leave(t, { members });
    assert.equal(response.errorCode, 0);
    return [...response.members.map((m) => `leave(${m.memberId || m.groupInstanceId}) ${errorInfo(m.errorCode).name}`), ...this.lines(output)];
  }

  private track(client: string, kind: 'join' | 'sync'): number {
    const requestId = this.nextRequestId++;
    this.requests.set(requestId, { client, kind });
    return requestId;
  }

  /** Format an output, and update the clients from their responses as a real client would. */
  lines(output: GroupOutput): string[] {
    const lines = output.completions.map((c) => this.line(c));
    if (output.metadataChanged) lines.push('persist');
    return lines;
  }

  private line(completion: Completion): string {
    const request = this.requests.get(completion.requestId);
    assert.ok(request !== undefined, `completion for unknown request ${completion.requestId}`);
    assert.equal(request.kind, completion.kind);
    this.requests.delete(completion.requestId);
    const c = this.client(request.client);
    const error = errorInfo(completion.response.errorCode).name;
    if (completion.kind === 'sync') {
      const r = completion.response;
      return r.errorCode === 0 ? `sync(${request.client}) NONE ${r.assignment.toString()}` : `sync(${request.client}) ${error}`;
    }
    const r = completion.response;
    if (r.errorCode === 0) {
      c.memberId = r.memberId;
      c.generationId = r.generationId;
      const members = r.members.map((m) => m.memberId).join(',');
      return `join(${request.client}) NONE id=${r.memberId} gen=${r.generationId} ${r.protocolName} leader=${r.leader} members=[${members}]`;
    }
    if (error === 'MEMBER_ID_REQUIRED') c.memberId = r.memberId;
    if (error === 'UNKNOWN_MEMBER_ID') c.memberId = '';
    return `join(${request.client}) ${error}${r.memberId !== '' ? ` id=${r.memberId}` : ''}`;
  }

  /** Requests still parked. */
  get parked(): number {
    return this.requests.size;
  }
}
