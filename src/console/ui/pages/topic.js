// One topic: its partitions (leader, replicas, ISR, offsets, size), its configs with a form to
// set or remove one, and deletion.
import { api, bytes, errorBox, fill, h, nodeList, num, table } from '../lib.js';

export function topicPage(app, name) {
  const body = h('div', 'Loading…');
  fill(app, h('h1', 'Topic ', h('span#topic-name', name)), body);
  let timer = null;
  const load = async () => {
    try {
      const t = await api(`/api/topics/${encodeURIComponent(name)}`);
      fill(body, actions(name), h('h2', 'Partitions'), partitionsTable(name, t.partitions), h('h2', 'Configs'), configForm(name, load), configsTable(t.configs));
    } catch (err) {
      fill(body, errorBox(err));
    }
  };
  void load();
  timer = setInterval(() => {
    const table = document.getElementById('partitions-table');
    if (table) api(`/api/topics/${encodeURIComponent(name)}`).then((t) => table.replaceWith(partitionsTable(name, t.partitions)), () => {});
  }, 2000);
  return () => clearInterval(timer);
}

function partitionsTable(topic, partitions) {
  return table(['Partition', 'Leader', 'Replicas', 'ISR', 'Log start', 'Log end', 'Size (this node)', ''], partitions.map((p) => h('tr', { 'data-partition': p.partition },
    h('td', p.partition), h('td', p.leader < 0 ? h('span.warn', 'none') : p.leader), h('td', nodeList(p.replicas)),
    h('td', p.isr.length < p.replicas.length ? h('span.warn', nodeList(p.isr)) : nodeList(p.isr)),
    h('td', num(p.logStartOffset)), h('td', num(p.logEndOffset)), h('td', bytes(p.sizeBytes)),
    h('td', h('a', { href: `#/messages/${encodeURIComponent(topic)}/${p.partition}` }, 'messages')))), { id: 'partitions-table' });
}

function actions(name) {
  const result = h('span');
  return h('div.actions', h('a.button', { href: `#/messages/${encodeURIComponent(name)}/0` }, 'Browse messages'), ' ',
    h('button.danger#delete-topic', {
      async onclick() {
        if (!confirm(`Delete topic ${name} and all its records?`)) return;
        try {
          await api(`/api/topics/${encodeURIComponent(name)}`, { method: 'DELETE' });
          location.hash = '#/topics';
        } catch (err) {
          fill(result, errorBox(err));
        }
      },
    }, 'Delete topic'), result);
}

function configForm(topic, reload) {
  const key = h('input#config-name', { placeholder: 'config name, e.g. retention.ms' });
  const value = h('input#config-value', { placeholder: 'value (empty: back to the default)' });
  const result = h('span.result');
  return h('form#alter-config', {
    async onsubmit(e) {
      e.preventDefault();
      const body = value.value === '' ? { delete: [key.value.trim()] } : { set: { [key.value.trim()]: value.value } };
      try {
        await api(`/api/topics/${encodeURIComponent(topic)}/configs`, { method: 'POST', body });
        await reload();
      } catch (err) {
        fill(result, errorBox(err));
      }
    },
  }, key, value, h('button', { type: 'submit' }, 'Set config'), result);
}

function configsTable(configs) {
  return table(['Name', 'Value', 'Source'], configs.map((c) => h(`tr${c.source === 'DYNAMIC_TOPIC_CONFIG' ? '.override' : ''}`, { 'data-config': c.name },
    h('td', c.name), h('td', c.isSensitive ? '(hidden)' : c.value ?? 'null'), h('td', c.source))), { id: 'configs-table' });
}
