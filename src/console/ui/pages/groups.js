// Consumer groups: the list (state, protocol, members, total lag), and one group's members,
// assignment and per-partition committed offset and lag, live; offsets can be reset and the
// group deleted while it has no members.
import { api, errorBox, fill, h, live, num, table } from '../lib.js';

export function groupsPage(app) {
  const list = h('div#groups-list', 'Loading…');
  fill(app, h('h1', 'Consumer groups'), list);
  const render = (groups) => fill(list, groups.length === 0 ? h('p', 'No consumer groups.') :
    table(['Group', 'State', 'Type', 'Protocol', 'Members', 'Coordinator', 'Lag'], groups.map((g) => h('tr', { 'data-group': g.groupId },
      h('td', h('a', { href: `#/groups/${encodeURIComponent(g.groupId)}` }, g.groupId)), h('td', g.state), h('td', g.type ?? g.protocolType),
      h('td', g.protocol || '–'), h('td', g.members), h('td', g.coordinator), h('td.lag', num(g.totalLag)))), { id: 'groups-table' }));
  const load = () => api('/api/groups').then(render, (err) => fill(list, errorBox(err)));
  void load();
  const timer = setInterval(load, 2000);
  return () => clearInterval(timer);
}

export function groupPage(app, groupId) {
  const head = h('div#group-head');
  const members = h('div#group-members');
  const offsets = h('div#group-offsets');
  const actions = h('div#group-actions');
  fill(app, h('h1', 'Group ', h('span#group-id', groupId)), head, h('h2', 'Members'), members, h('h2', 'Offsets and lag'), offsets, actions);
  let isEmpty = null;
  return live(`/api/groups/${encodeURIComponent(groupId)}/live`, {
    message(g) {
      fill(head, h('p', `State `, h('b#group-state', g.state), ` · protocol ${g.protocolType || '–'}/${g.protocol || '–'} · coordinator ${g.coordinator} · total lag `, h('b#group-total-lag', num(g.totalLag))));
      fill(members, g.members.length === 0 ? h('p', 'No members.') : table(['Member', 'Client', 'Host', 'Assignment'], g.members.map((m) => h('tr',
        h('td', m.memberId), h('td', m.clientId), h('td', m.clientHost),
        h('td', (m.assignment ?? []).map((a) => `${a.topic}-${a.partition}`).join(', ') || '–')))));
      fill(offsets, table(['Topic', 'Partition', 'Committed', 'Log end', 'Lag', 'Member'], g.partitions.map((p) => h('tr', { 'data-partition': `${p.topic}-${p.partition}` },
        h('td', p.topic), h('td', p.partition), h('td', num(p.committedOffset)), h('td', num(p.logEndOffset)), h('td.lag', num(p.lag)), h('td', p.clientId ?? '–'))), { id: 'group-offsets-table' }));
      const nowEmpty = g.members.length === 0;
      if (nowEmpty !== isEmpty) {
        isEmpty = nowEmpty;
        fill(actions, nowEmpty ? groupActions(groupId) : h('p.info', 'Offsets can be reset and the group deleted once it has no members.'));
      }
    },
  });
}

function groupActions(groupId) {
  const to = h('select#reset-to', ['earliest', 'latest', 'offset', 'timestamp'].map((x) => h('option', { value: x }, x)));
  const value = h('input#reset-value', { placeholder: 'offset or timestamp (ms)' });
  const topic = h('input#reset-topic', { placeholder: 'topic (default: all committed)' });
  const result = h('span.result#reset-result');
  return h('div',
    h('h2', 'Reset offsets'),
    h('form#reset-offsets', {
      async onsubmit(e) {
        e.preventDefault();
        try {
          const r = await api(`/api/groups/${encodeURIComponent(groupId)}/reset-offsets`, { method: 'POST', body: { to: to.value, value: value.value, topic: topic.value } });
          fill(result, h('span.ok', `Reset ${r.offsets.length} partition(s)`));
        } catch (err) {
          fill(result, errorBox(err));
        }
      },
    }, to, value, topic, h('button', { type: 'submit' }, 'Reset'), result),
    h('h2', 'Delete'),
    h('button.danger#delete-group', {
      async onclick() {
        if (!confirm(`Delete group ${groupId} and its committed offsets?`)) return;
        try {
          await api(`/api/groups/${encodeURIComponent(groupId)}`, { method: 'DELETE' });
          location.hash = '#/groups';
        } catch (err) {
          fill(result, errorBox(err));
        }
      },
    }, 'Delete group'));
}
