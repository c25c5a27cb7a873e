#!/usr/bin/env node
// The `tideline` command. The implementation is compiled TypeScript in dist/ (npm run build).
import '../dist/src/cli/main.js';
