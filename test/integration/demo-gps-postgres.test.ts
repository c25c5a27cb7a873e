// Goal: with --database-url postgres://… the db-writer keeps the same promises in PostgreSQL as in
// SQLite. A short one-node run against a PostgreSQL server started for the test: the demo exits 0
// with agreeing counts, the database holds exactly one latest row per partner, equal to that
// partner's last acknowledged update, plus sampled history; the analytics windows add up as
// usual. Skipped, saying why, only when the PostgreSQL server binaries are not installed.

import { after, describe, test } from 'node:test';
import { makeTempDir } from '../helpers/cleanup.js';
import { checkRun, runDemo } from '../helpers/demo-run.js';
import { findPostgres, startPostgres, type PostgresServer } from '../helpers/postgres.js';

const found = findPostgres();
const skip = 'missing' in found ? found.missing : false;

describe('tideline demo gps with PostgreSQL', { timeout: 120_000, skip }, () => {
  let server: PostgresServer | undefined;
  after(() => server?.stop());

  test('10,000 partners for 6 s: one latest row per partner, equal to its last produced update', async () => {
    server = await startPostgres((found as { binDir: string }).binDir);
    const partners = 10_000;
    const dataDir = makeTempDir('tideline-demo-');
    const args = ['--nodes', '1', '--partners', String(partners), '--rate', '10000', '--window', '2', '--duration', '6', '--catch-up-timeout', '20'];
    const run = await runDemo([...args, '--database-url', server.url, '--data-dir', dataDir], 60_000);
    await checkRun(run, dataDir, partners, { databaseUrl: server.url });
  });
});
