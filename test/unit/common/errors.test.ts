// Goal: docs/errors.md documents every error code Tideline defines, so operators can look up
// any code the CLI prints.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';
import { TidelineErrorCode } from '../../../src/common/errors.js';

const docs = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');

test('every TidelineErrorCode is listed in docs/errors.md', () => {
  for (const code of Object.values(TidelineErrorCode)) assert.ok(docs.includes(`\`${code}\``), `${code} missing from docs/errors.md`);
});

test('codes are unique', () => {
  const codes = Object.values(TidelineErrorCode);
  assert.equal(new Set(codes).size, codes.length);
});
