// Goal: the web console, driven in a real browser against a real broker, shows real data on
// every page: the overview's nodes and health, a topic created from the UI (then also listed by
// kcat -L), a record produced by kcat on the messages page, a consumer group's lag that appears
// and falls to 0 while a confluent_kafka group member consumes, the brokers page and the GPS map
// fed by a location record. Screenshots land in a temp dir (printed), not the repository.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type BrokerProcess } from '../helpers/broker.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { kcat, kcatProduceKeyed } from '../helpers/kcat.js';
import { spawnPython } from '../helpers/python.js';

let broker: BrokerProcess;
let browser: TestBrowser;
let url: string;

before(async () => {
  broker = await startBroker({ overrides: { 'console.listeners': 'http://127.0.0.1:0', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3', 'offsets.topic.replication.factor': '1' } });
  assert.match(broker.consoleUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  url = broker.consoleUrl!;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) {
    process.stdout.write(`# console screenshots in ${browser.screenshotDir}\n`);
    await browser.close();
  }
  await broker?.stop();
});

test('overview shows the node, its roles, the active controller and healthy partitions', async () => {
  const { page } = browser;
  await page.goto(`${url}/#/overview`);
  const row = page.locator('#overview-nodes tr[data-node="1"]');
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /active controller/);
  assert.match(text, /broker, controller/);
  assert.match(text, /online/);
  await page.locator('#overview-health .ok').waitFor();
  assert.match(await page.locator('#overview-summary').innerText(), /Active controller\s+node 1/);
  await browser.screenshot('overview');
});

test('a topic created in the UI is listed on the page and by kcat -L', async () => {
  const { page } = browser;
  await page.goto(`${url}/#/topics`);
  await page.fill('#new-topic-name', 'ui-created');
  await page.fill('#new-topic-partitions', '3');
  await page.fill('#new-topic-configs', 'retention.ms=3600000');
  await page.click('#create-topic button[type=submit]');
  const row = page.locator('#topics-table tr[data-topic="ui-created"]');
  await row.waitFor();
  assert.match(await row.innerText(), /ui-created\s+3\s+1/);
  const listed = await kcat(['-L', '-b', broker.bootstrap, '-t', 'ui-created']);
  assert.match(listed.stdout, /topic "ui-created" with 3 partitions/);

  await row.locator('a').click();
  await page.locator('#partitions-table tr[data-partition="2"]').waitFor();
  assert.equal(await page.locator('#configs-table tr[data-config="retention.ms"] td').nth(1).innerText(), '3600000');
  await browser.screenshot('topic');
});

test('the messages page shows a record produced by kcat, with its key, value and header', async () => {
  const { page } = browser;
  await kcatProduceKeyed(broker.bootstrap, 'from-kcat', 'order-7:{"item":"tea","qty":2}\n', ['-H', 'source=kcat']);
  await page.goto(`${url}/#/messages/from-kcat/0`);
  const row = page.locator('#msg-rows tr[data-offset="0"]');
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /order-7/);
  assert.match(text, /"item": "tea"/);
  assert.match(text, /source/);
  await page.selectOption('#msg-format', 'hex');
  assert.match(await row.innerText(), /6f 72 64 65 72 2d 37/); // "order-7"
  await browser.screenshot('messages');

  await page.selectOption('#msg-format', 'auto');
  await page.fill('#produce-key', 'from-ui');
  await page.fill('#produce-value', 'hello from the console');
  await page.fill('#produce-partition', '0');
  await page.click('#produce button[type=submit]');
  await page.locator('#msg-rows tr[data-offset="1"]').waitFor();
  const consumed = await kcat(['-C', '-b', broker.bootstrap, '-t', 'from-kcat', '-p', '0', '-o', '1', '-c', '1', '-e', '-f', '%k=%s\n']);
  assert.equal(consumed.stdout.trim(), 'from-ui=hello from the console');
});

test('a consumer group\'s lag appears on its page and falls to 0 while a member consumes', async () => {
  const { page } = browser;
  const topic = 'lagged';
  const lines = Array.from({ length: 200 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
  await kcatProduceKeyed(broker.bootstrap, topic, lines);

  // The group exists with offsets at 0 before any member joins: set through the console's reset.
  const reset = await fetch(`${url}/api/groups/lag-group/reset-offsets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'earliest', topic }) });
  assert.equal(reset.status, 200, await reset.text());
  await page.goto(`${url}/#/groups/lag-group`);
  await page.locator('#group-total-lag', { hasText: '200' }).waitFor();
  await browser.screenshot('group-lagging');

  const member = spawnPython<{ ev: string }>('group_consumer.py', { bootstrap: broker.bootstrap, topics: [topic], groupId: 'lag-group', commit: true });
  try {
    await page.locator('#group-state', { hasText: 'Stable' }).waitFor({ timeout: 60_000 });
    await page.locator('#group-total-lag', { hasText: /^0$/ }).waitFor({ timeout: 60_000 });
    assert.match(await page.locator('#group-members').innerText(), /lagged-0/);
    await browser.screenshot('group-caught-up');
    await page.goto(`${url}/#/groups`);
    const row = page.locator('#groups-table tr[data-group="lag-group"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Stable/);
  } finally {
    member.child.kill('SIGTERM');
    await member.exited;
  }
});

test('the brokers page lists the node with its partitions, leaders, disk and configs', async () => {
  const { page } = browser;
  await page.goto(`${url}/#/brokers`);
  const row = page.locator('#brokers-table tr[data-node="1"]');
  await row.waitFor();
  assert.match(await row.innerText(), /this node/);
  await row.locator('button').click();
  await page.locator('#broker-configs-table tr[data-config="num.partitions"]').waitFor();
  await browser.screenshot('brokers');
});

test('the map page draws partners read from delivery-location-updates', async () => {
  const { page } = browser;
  const update = { partnerId: 'p-1', lat: 52.5, lon: 13.4, speedKmh: 18, heading: 90, status: 'to_pickup', ts: Date.now() };
  await kcat(['-P', '-b', broker.bootstrap, '-t', 'delivery-location-updates', '-k', 'p-1'], { stdin: `${JSON.stringify(update)}\n` });
  await page.goto(`${url}/#/map`);
  await page.locator('#map-partners', { hasText: '1 partners' }).waitFor();
  await browser.screenshot('map');
});
