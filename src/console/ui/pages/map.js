// The GPS demo's map: the synthetic city's street grid and zones on a canvas, each delivery
// partner at its latest reported position (coloured by status), zone statistics from the
// analytics service's topic and the lag of the demo's consumer groups. The console reads the
// topics itself; nothing here needs the demo's own services.
import { api, fill, h, num, table } from '../lib.js';

const STATUS_COLORS = { idle: '#8a8a8a', to_pickup: '#d9822b', to_dropoff: '#2b7bb9' };

export function mapPage(app) {
  const canvas = h('canvas#map-canvas', { width: 760, height: 620 });
  const info = h('div.info#map-info', 'Waiting for the demo…');
  const zones = h('div#map-zones');
  const groups = h('div#map-groups');
  fill(app, h('h1', 'Delivery map'), info, h('div.map-layout', canvas, h('div.map-side', h('h2', 'Consumer groups'), groups, h('h2', 'Busiest zones'), zones)));
  let geometry = null;
  let source = null;
  api('/api/map/geometry').then((g) => {
    geometry = g;
    draw(canvas, geometry, { partners: [], zones: [] });
    source = new EventSource('/api/map/live');
    source.onmessage = (e) => {
      const snap = JSON.parse(e.data);
      if (!snap.exists) {
        fill(info, `Topic ${geometry.locationTopic} does not exist yet: start the demo (tideline demo gps) against this cluster.`);
        return;
      }
      fill(info, h('span#map-partners', `${snap.partners.length} partners`), ` · ${num(snap.recordsSeen)} records read`);
      draw(canvas, geometry, snap);
      fill(groups, snap.groups.length === 0 ? h('p', '–') : table(['Group', 'State', 'Members', 'Lag'], snap.groups.map((x) => h('tr', h('td', x.groupId), h('td', x.state), h('td', x.members), h('td', num(x.totalLag))))));
      const busiest = [...snap.zones].sort((a, b) => b.activePartners - a.activePartners).slice(0, 12);
      fill(zones, busiest.length === 0 ? h('p', 'No zone statistics yet.') : table(['Zone', 'Partners', 'Avg km/h', 'Events'], busiest.map((z) => h('tr', h('td', z.zone), h('td', z.activePartners), h('td', num(z.avgSpeedKmh, 1)), h('td', z.events)))));
    };
  });
  return () => source?.close();
}

function draw(canvas, g, snap) {
  const ctx = canvas.getContext('2d');
  const { latMin, latMax, lonMin, lonMax } = g.city;
  const x = (lon) => ((lon - lonMin) / (lonMax - lonMin)) * canvas.width;
  const y = (lat) => canvas.height - ((lat - latMin) / (latMax - latMin)) * canvas.height;
  ctx.fillStyle = '#f7f5f0';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const byZone = new Map(snap.zones.map((z) => [z.zone, z]));
  const busiest = Math.max(1, ...snap.zones.map((z) => z.activePartners));
  for (let r = 0; r < g.zoneRows; r++) {
    for (let c = 0; c < g.zoneCols; c++) {
      const z = byZone.get(`z${r}-${c}`);
      const x0 = (c / g.zoneCols) * canvas.width;
      const y1 = canvas.height - (r / g.zoneRows) * canvas.height;
      const w = canvas.width / g.zoneCols;
      const hgt = canvas.height / g.zoneRows;
      if (z) {
        ctx.fillStyle = `rgba(217,130,43,${(0.35 * z.activePartners) / busiest})`;
        ctx.fillRect(x0, y1 - hgt, w, hgt);
      }
      ctx.strokeStyle = '#c9c3b5';
      ctx.strokeRect(x0, y1 - hgt, w, hgt);
      ctx.fillStyle = '#9a937f';
      ctx.font = '10px sans-serif';
      ctx.fillText(`z${r}-${c}`, x0 + 3, y1 - hgt + 11);
    }
  }
  ctx.strokeStyle = 'rgba(0,0,0,0.05)';
  ctx.beginPath();
  for (let lat = latMin; lat <= latMax; lat += g.blockDeg * 5) {
    ctx.moveTo(0, y(lat));
    ctx.lineTo(canvas.width, y(lat));
  }
  for (let lon = lonMin; lon <= lonMax; lon += g.blockDeg * 5) {
    ctx.moveTo(x(lon), 0);
    ctx.lineTo(x(lon), canvas.height);
  }
  ctx.stroke();
  // Dots shrink as partners multiply, so 100,000 of them still show the streets they move on.
  const n = snap.partners.length;
  const r = n > 20000 ? 0.7 : n > 5000 ? 1 : n > 1000 ? 2 : 3;
  for (const p of snap.partners) {
    ctx.fillStyle = STATUS_COLORS[p.status] ?? '#333';
    if (r <= 1) {
      ctx.fillRect(x(p.lon) - r, y(p.lat) - r, 2 * r, 2 * r);
      continue;
    }
    ctx.beginPath();
    ctx.arc(x(p.lon), y(p.lat), r, 0, 2 * Math.PI);
    ctx.fill();
  }
}
