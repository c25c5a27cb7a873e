// Small helpers the pages share: element building, the JSON API, Server-Sent Events and number
// formatting. Each page is a function that fills a container and returns a cleanup function.

/** h('div.card#id', {onclick}, ...children): an element with classes, attributes and children. */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || 'div');
  for (const r of rest) {
    if (r.startsWith('.')) el.classList.add(r.slice(1));
    else el.id = r.slice(1);
  }
  if (attrs !== null && attrs !== undefined && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
  } else if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export async function api(path, options = {}) {
  const init = { method: options.method ?? 'GET', headers: {} };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/** Subscribes to an SSE path; `handlers` maps event names (message for unnamed) to callbacks. */
export function live(path, handlers) {
  const source = new EventSource(path);
  for (const [event, fn] of Object.entries(handlers)) source.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  source.addEventListener('failure', (e) => showStatus(JSON.parse(e.data).error, true));
  return () => source.close();
}

export function showStatus(text, isError = false) {
  const el = document.getElementById('status');
  el.textContent = text ?? '';
  el.className = isError ? 'error' : '';
}

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function num(n, digits = 0) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en', { maximumFractionDigits: digits });
}

export function time(ms) {
  return ms === null || ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', h('tr', headers.map((x) => h('th', x)))), h('tbody', rows));
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export function errorBox(err) {
  return h('div.error', String(err.message ?? err));
}

export function nodeList(ids) {
  return (ids ?? []).join(', ');
}
