// Topics: the list with partitions, replication, size and message rate (refreshed over SSE),
// and a form to create one.
import { api, bytes, errorBox, fill, h, live, num, showStatus, table } from '../lib.js';

export function topicsPage(app) {
  const list = h('div#topics-list', 'Loading…');
  const showInternal = h('input#show-internal', { type: 'checkbox' });
  const name = h('input#new-topic-name', { placeholder: 'name', required: true });
  const partitions = h('input#new-topic-partitions', { type: 'number', min: 1, placeholder: 'partitions (default)' });
  const rf = h('input#new-topic-rf', { type: 'number', min: 1, placeholder: 'replication factor (default)' });
  const configs = h('input#new-topic-configs', { placeholder: 'configs: retention.ms=60000,cleanup.policy=compact' });
  const result = h('div.result');
  const form = h('form#create-topic', {
    async onsubmit(e) {
      e.preventDefault();
      try {
        await api('/api/topics', { method: 'POST', body: { name: name.value.trim(), partitions: partitions.value, replicationFactor: rf.value, configs: parsePairs(configs.value) } });
        fill(result, h('span.ok', `Created ${name.value.trim()}`));
        name.value = '';
      } catch (err) {
        fill(result, errorBox(err));
      }
    },
  }, name, partitions, rf, configs, h('button', { type: 'submit' }, 'Create topic'), result);
  let last = [];
  const render = () => {
    const rows = last.filter((t) => showInternal.checked || !t.isInternal);
    fill(list, table(['Topic', 'Partitions', 'RF', 'Messages', 'Msg/s', 'Size (this node)', 'Health'], rows.map((t) => h('tr', { 'data-topic': t.name },
      h('td', h('a', { href: `#/topics/${encodeURIComponent(t.name)}` }, t.name), t.isInternal ? h('span.badge', 'internal') : null),
      h('td', t.partitions), h('td', t.replicationFactor), h('td', num(t.messages)), h('td', num(t.messagesPerSec, 1)), h('td', bytes(t.sizeBytes)),
      h('td', t.offline > 0 ? h('span.warn', `${t.offline} offline`) : t.underReplicated > 0 ? h('span.warn', `${t.underReplicated} under-replicated`) : h('span.ok', 'ok')))), { id: 'topics-table' }));
  };
  showInternal.addEventListener('change', render);
  fill(app, h('h1', 'Topics'), h('h2', 'Create a topic'), form, h('label', showInternal, ' show internal topics'), list);
  return live('/api/topics/live', {
    message(topics) {
      last = topics;
      showStatus('');
      render();
    },
  });
}

export function parsePairs(text) {
  const out = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not name=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}
