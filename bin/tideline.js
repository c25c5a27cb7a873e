#!/usr/bin/env -S node --max-semi-space-size=4
// The `tideline` command. The implementation is compiled TypeScript in dist/ (npm run build).
// The flag in the first line keeps young-generation GCs short (see src/cli/broker-node-flags.ts).
import '../dist/src/cli/main.js';
