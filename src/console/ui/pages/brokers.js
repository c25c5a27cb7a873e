// Brokers: partitions and leaderships per node, disk use (for this node, which knows its own
// log directories) and each broker's configs on demand.
import { api, bytes, errorBox, fill, h, table } from '../lib.js';

export function brokersPage(app) {
  const list = h('div#brokers-list', 'Loading…');
  const configs = h('div#broker-configs');
  fill(app, h('h1', 'Brokers'), list, configs);
  const showConfigs = async (id) => {
    fill(configs, h('h2', `Configs of broker ${id}`), 'Loading…');
    try {
      const entries = await api(`/api/brokers/${id}/configs`);
      fill(configs, h('h2', `Configs of broker ${id}`), table(['Name', 'Value', 'Source'], entries.map((c) => h('tr', { 'data-config': c.name },
        h('td', c.name), h('td', c.isSensitive ? '(hidden)' : c.value ?? 'null'), h('td', c.source))), { id: 'broker-configs-table' }));
    } catch (err) {
      fill(configs, errorBox(err));
    }
  };
  const load = () => api('/api/brokers').then((nodes) => fill(list, table(['Node', 'Address', 'Roles', 'State', 'Replicas', 'Leaders', 'Log bytes', 'Disk', ''], nodes.map((n) => h('tr', { 'data-node': n.id },
    h('td', n.id, n.isActiveController ? h('span.badge', 'active controller') : null, n.isThisNode ? h('span.badge', 'this node') : null),
    h('td', n.host ? `${n.host}:${n.port ?? ''}` : '–'), h('td', n.roles.join(', ')), h('td', h(`span.state.${n.state}`, n.state)),
    h('td', n.replicas), h('td', n.leaders), h('td', bytes(n.logBytes)),
    h('td', n.logDirs ? n.logDirs.map((d) => h('div', `${d.dir}: ${bytes(d.usableBytes)} free of ${bytes(d.totalBytes)}`)) : '–'),
    h('td', n.roles.includes('broker') ? h('button', { onclick: () => showConfigs(n.id) }, 'configs') : null))), { id: 'brokers-table' })),
  (err) => fill(list, errorBox(err)));
  void load();
  const timer = setInterval(load, 3000);
  return () => clearInterval(timer);
}
