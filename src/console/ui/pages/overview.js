// Overview: nodes with their roles, the active controller, partition health and this node's
// produce/consume throughput, all refreshed each second over SSE.
import { bytes, fill, h, live, num, table } from '../lib.js';
import { lineChart } from '../chart.js';

export function overviewPage(app) {
  const summary = h('div.cards#overview-summary');
  const nodes = h('div#overview-nodes');
  const health = h('div#overview-health');
  const messagesBox = h('div.chart');
  const bytesBox = h('div.chart');
  fill(app, h('h1', 'Overview'), summary, h('h2', 'Nodes'), nodes, h('h2', 'Health'), health,
    h('h2', 'Throughput (this node)'), h('div.charts', messagesBox, bytesBox));
  const messages = lineChart(messagesBox, 'messages/s', ['in', 'out'], (v) => num(v, 1));
  const traffic = lineChart(bytesBox, 'bytes/s', ['in', 'out'], (v) => bytes(Math.round(v)));
  const stop = live('/api/overview/live', {
    message(o) {
      const controller = o.nodes.find((n) => n.isActiveController);
      fill(summary,
        card('Cluster', o.clusterId ?? '–'),
        card('Active controller', controller ? `node ${controller.id}` : 'none'),
        card('Nodes', o.nodes.length),
        card('Topics', o.topics),
        card('Partitions', o.partitions),
        card('Offline partitions', o.offline.length, o.offline.length > 0),
        card('Under-replicated', o.underReplicated.length, o.underReplicated.length > 0),
        card(`Raft (node ${o.nodeId})`, `${o.raft.role}, epoch ${o.raft.epoch}`));
      fill(nodes, table(['Node', 'Address', 'Roles', 'State', 'Rack'], o.nodes.map((n) => h('tr', { 'data-node': n.id },
        h('td', n.id, n.isActiveController ? h('span.badge', 'active controller') : null),
        h('td', n.host ? `${n.host}:${n.port ?? ''}` : '–'),
        h('td', n.roles.join(', ')),
        h('td', h(`span.state.${n.state}`, n.state)),
        h('td', n.rack ?? '–')))));
      const bad = [...o.offline.map((p) => ({ ...p, problem: 'offline' })), ...o.underReplicated.map((p) => ({ ...p, problem: 'under-replicated' }))];
      fill(health, bad.length === 0 ? h('p.ok', 'All partitions have a leader and a full ISR.') :
        table(['Topic', 'Partition', 'Problem', 'Leader', 'Replicas', 'ISR'], bad.map((p) => h('tr',
          h('td', p.topic), h('td', p.partition), h('td.warn', p.problem), h('td', p.leader), h('td', p.replicas.join(',')), h('td', p.isr.join(','))))));
      const t = o.throughput;
      messages.set(t.map((s) => s.t), t.map((s) => s.messagesInPerSec), t.map((s) => s.messagesOutPerSec));
      traffic.set(t.map((s) => s.t), t.map((s) => s.bytesInPerSec), t.map((s) => s.bytesOutPerSec));
    },
  });
  return () => {
    stop();
    messages.destroy();
    traffic.destroy();
  };
}

function card(label, value, isBad = false) {
  return h(`div.card${isBad ? '.bad' : ''}`, h('div.label', label), h('div.value', String(value)));
}
