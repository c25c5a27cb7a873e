// Goal: the console refuses what other web pages could make a browser send it, and a malformed
// request gets an answer, never a broker crash: a request URL that does not parse (400), a Host it
// does not answer to (403, DNS rebinding), a cross-origin or non-JSON POST (403, cross-site
// request forgery: a page may POST text/plain anywhere without asking first), a bad escape in a
// path (400). The broker keeps serving, and only the legitimate request creates a topic.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { kcat } from '../helpers/kcat.js';

let broker: BrokerProcess;
let port: number;

before(async () => {
  broker = await startBroker({ overrides: { 'console.listeners': 'http://127.0.0.1:0' } });
  port = Number(new URL(broker.consoleUrl!).port);
});

after(async () => {
  await broker?.stop();
});

function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('console request timed out')));
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const topicBody = (name: string) => JSON.stringify({ name, partitions: 1, replicationFactor: 1 });

test('malformed and foreign requests are refused, and the broker keeps serving', async () => {
  assert.equal((await send('GET', '//a:b', {})).status, 400, 'a URL that does not parse');
  assert.equal((await send('GET', '/api/topics/%E0%A4%A', {})).status, 400, 'a bad escape');
  assert.equal((await send('GET', '/api/overview', { host: `attacker.example:${port}` })).status, 403, 'a foreign Host');
  assert.equal((await send('POST', '/api/topics', { 'content-type': 'text/plain' }, topicBody('csrf-plain'))).status, 403, 'a text/plain POST');
  assert.equal((await send('POST', '/api/topics', { ...json, origin: 'http://attacker.example' }, topicBody('csrf-origin'))).status, 403, 'another origin');
  assert.equal((await send('DELETE', '/api/groups/g', { origin: 'null' })).status, 403, 'an opaque origin');

  const ok = await send('POST', '/api/topics', { ...json, origin: `http://127.0.0.1:${port}` }, topicBody('console-made'));
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await send('GET', '/api/overview', { host: `localhost:${port}` })).status, 200, 'localhost names the same console');

  const listed = await kcat(['-b', broker.bootstrap, '-L', '-J'], { timeoutMs: 15_000 });
  const names = (JSON.parse(listed.stdout) as { topics: { topic: string }[] }).topics.map((t) => t.topic);
  assert.ok(names.includes('console-made'));
  assert.ok(!names.includes('csrf-plain') && !names.includes('csrf-origin'), `refused requests created topics: ${names}`);
});
