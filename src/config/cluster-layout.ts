// Where a node sits in its cluster, from Kafka's KRaft settings: its roles (`process.roles`), the
// controller voters (`controller.quorum.voters`, `id@host:port,…`), and which of its
// `listeners` serve the controller quorum (`controller.listener.names`). Checked once at start-up
// with Kafka's rules, so a misconfigured node fails with a ConfigError naming the setting.
//
// No voters configured means the embedded single-node default: this node is the only voter of a
// one-node quorum and needs no controller listener (nobody else talks to it).

import { ConfigError } from '../common/errors.js';
import { parseListeners, type ListenerSpec } from '../net/server.js';
import type { BrokerConfig } from './broker-config.js';

export interface VoterAddress {
  readonly host: string;
  readonly port: number;
}

export interface ClusterLayout {
  readonly nodeId: number;
  readonly isBroker: boolean;
  readonly isController: boolean;
  /** Voter id → its controller listener address; for the single-node default, this node → null. */
  readonly voters: ReadonlyMap<number, VoterAddress | null>;
  /** Whether a controller.quorum.voters list was configured (a real, networked quorum). */
  readonly isNetworked: boolean;
  /** This node's controller listener, when it is a voter of a networked quorum. */
  readonly controllerListener: ListenerSpec | null;
  /** Listeners for Kafka clients (every listener that is not a controller listener). */
  readonly brokerListeners: ListenerSpec[];
  readonly controllerListenerNames: readonly string[];
}

export function parseVoters(text: string): Map<number, VoterAddress> {
  const voters = new Map<number, VoterAddress>();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(\d+)@(\[[^\]]*\]|[^:]+):(\d+)$/.exec(item);
    if (!m) throw new ConfigError(`controller.quorum.voters: "${item}" is not id@host:port`);
    const id = Number(m[1]);
    if (voters.has(id)) throw new ConfigError(`controller.quorum.voters: voter ${id} appears twice`);
    voters.set(id, { host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
  }
  return voters;
}

export function clusterLayout(config: BrokerConfig): ClusterLayout {
  const nodeId = config.nodeId;
  const roles = (config.get('process.roles') as string[]).map((r) => r.trim());
  const isBroker = roles.includes('broker');
  const isController = roles.includes('controller');
  if (!isBroker && !isController) throw new ConfigError('process.roles must name broker, controller or both');
  const listeners = parseListeners(config.str('listeners'));
  const names = ((config.get('controller.listener.names') as string | null) ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  const votersText = (config.get('controller.quorum.voters') as string | null) ?? '';
  const configured = parseVoters(votersText);
  const brokerListeners = listeners.filter((l) => !names.includes(l.name));
  if (isBroker && brokerListeners.length === 0) throw new ConfigError('listeners: a broker needs at least one listener that is not a controller listener');

  if (configured.size === 0) {
    if (!isController) throw new ConfigError('controller.quorum.voters is required for a node without the controller role');
    return { nodeId, isBroker, isController, voters: new Map([[nodeId, null]]), isNetworked: false, controllerListener: null, brokerListeners, controllerListenerNames: names };
  }
  if (names.length === 0) throw new ConfigError('controller.listener.names is required with controller.quorum.voters');
  let controllerListener: ListenerSpec | null = null;
  if (isController) {
    if (!configured.has(nodeId)) throw new ConfigError(`controller.quorum.voters does not name this controller's node.id ${nodeId}`);
    controllerListener = listeners.find((l) => l.name === names[0]) ?? null;
    if (controllerListener === null) throw new ConfigError(`listeners has no ${names[0]} listener named by controller.listener.names`);
  } else if (listeners.some((l) => names.includes(l.name))) {
    throw new ConfigError('a broker-only node must not listen on a controller listener');
  }
  return { nodeId, isBroker, isController, voters: configured, isNetworked: true, controllerListener, brokerListeners, controllerListenerNames: names };
}
