// Messages: browse one partition from an offset, a time or its last records, follow it live,
// switch how keys, values and headers are shown (JSON, text, hex), and produce a test record.
import { api, errorBox, fill, h, live, time } from '../lib.js';
import { parsePairs } from './topics.js';

export function messagesPage(app, topicArg, partitionArg) {
  const topic = h('select#msg-topic');
  const partition = h('input#msg-partition', { type: 'number', min: 0, value: partitionArg ?? '0' });
  const mode = h('select#msg-mode', h('option', { value: 'latest' }, 'last records'), h('option', { value: 'offset' }, 'from offset'), h('option', { value: 'timestamp' }, 'from time'));
  const offset = h('input#msg-offset', { type: 'number', min: 0, placeholder: 'offset' });
  const at = h('input#msg-time', { type: 'datetime-local', step: 1 });
  const limit = h('input#msg-limit', { type: 'number', min: 1, max: 500, value: 50 });
  const format = h('select#msg-format', ['auto', 'json', 'text', 'hex'].map((f) => h('option', { value: f }, f)));
  const tailBox = h('input#msg-tail', { type: 'checkbox' });
  const info = h('div.info#msg-info');
  const rows = h('tbody#msg-rows');
  let records = [];
  let stopTail = null;

  const render = () => fill(rows, records.map((r) => recordRow(r, format.value)));
  const load = async () => {
    stopTailing();
    const params = new URLSearchParams({ limit: limit.value });
    if (mode.value === 'offset') params.set('offset', offset.value || '0');
    if (mode.value === 'timestamp') params.set('timestamp', String(at.value ? new Date(at.value).getTime() : 0));
    try {
      const page = await api(`/api/topics/${encodeURIComponent(topic.value)}/partitions/${partition.value}/messages?${params}`);
      records = page.records;
      fill(info, `Partition ${page.partition}: offsets ${page.logStartOffset}–${page.logEndOffset}; showing ${records.length} from ${page.from}.`);
      render();
      if (tailBox.checked) startTailing(page.logEndOffset);
    } catch (err) {
      fill(info, errorBox(err));
    }
  };
  const startTailing = (from) => {
    stopTailing();
    stopTail = live(`/api/topics/${encodeURIComponent(topic.value)}/partitions/${partition.value}/tail?offset=${from}`, {
      records(batch) {
        records = [...records, ...batch].slice(-1000);
        render();
      },
    });
  };
  const stopTailing = () => {
    stopTail?.();
    stopTail = null;
  };
  tailBox.addEventListener('change', () => (tailBox.checked ? load() : stopTailing()));
  format.addEventListener('change', render);
  const form = h('form#browse', { onsubmit: (e) => { e.preventDefault(); void load(); } },
    h('label', 'Topic ', topic), h('label', 'Partition ', partition), h('label', 'Show ', mode), offset, at, h('label', 'Limit ', limit),
    h('button', { type: 'submit' }, 'Load'), h('label', tailBox, ' live tail'), h('label', 'Format ', format));
  fill(app, h('h1', 'Messages'), form, info,
    h('table#msg-table', h('thead', h('tr', ['Offset', 'Partition', 'Timestamp', 'Key', 'Value', 'Headers'].map((x) => h('th', x)))), rows),
    h('h2', 'Produce a test message'), produceForm(() => topic.value, load));

  api('/api/topics').then((topics) => {
    const names = topics.map((t) => t.name);
    fill(topic, names.map((n) => h('option', { value: n }, n)));
    if (topicArg && names.includes(topicArg)) topic.value = topicArg;
    if (names.length > 0) void load();
  }, (err) => fill(info, errorBox(err)));
  return stopTailing;
}

function recordRow(r, format) {
  return h('tr', { 'data-offset': r.offset },
    h('td', r.offset), h('td', r.partition), h('td', time(r.timestamp)),
    h('td.payload', payload(r.key, format)), h('td.payload', payload(r.value, format)),
    h('td.payload', r.headers.map((x) => h('div', h('b', x.key), ': ', payload(x.value, format)))));
}

function payload(p, format) {
  if (p === null) return h('span.null', 'null');
  let shown;
  if (format === 'hex' || (format !== 'text' && p.text === null)) shown = p.hex.replace(/(..)/g, '$1 ').trim();
  else if ((format === 'auto' || format === 'json') && p.kind === 'json') shown = JSON.stringify(JSON.parse(p.text), null, 2);
  else shown = p.text ?? p.hex;
  return h(`pre.${p.kind}`, shown, p.isTruncated ? h('span.warn', ` … (${p.size} bytes)`) : null);
}

function produceForm(topicOf, reload) {
  const key = h('input#produce-key', { placeholder: 'key (empty: none)' });
  const value = h('textarea#produce-value', { placeholder: 'value', rows: 3 });
  const headers = h('input#produce-headers', { placeholder: 'headers: a=1,b=2' });
  const partition = h('input#produce-partition', { type: 'number', min: 0, placeholder: 'partition (default: by key)' });
  const encoding = h('select#produce-encoding', h('option', { value: 'text' }, 'text'), h('option', { value: 'hex' }, 'hex'));
  const result = h('span.result#produce-result');
  return h('form#produce', {
    async onsubmit(e) {
      e.preventDefault();
      try {
        const r = await api(`/api/topics/${encodeURIComponent(topicOf())}/messages`, {
          method: 'POST',
          body: { key: key.value, value: value.value, headers: parsePairs(headers.value), partition: partition.value, encoding: encoding.value },
        });
        fill(result, h('span.ok', `Written to partition ${r.partition} at offset ${r.offset}`));
        await reload();
      } catch (err) {
        fill(result, errorBox(err));
      }
    },
  }, key, value, headers, partition, encoding, h('button', { type: 'submit' }, 'Produce'), result);
}
