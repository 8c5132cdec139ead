#!/usr/bin/env node
/**
 * The `pgward` bin as published (package.json `bin`): scripts/build.mjs bundles this file and
 * pgward's own modules into dist/cli/bundle/, commands still loaded only when used, so that a
 * run loads a few chunks instead of ~300 modules (issue 13: ~0.06 s of every command's
 * start). Dependencies stay in node_modules, updated as they are.
 */
import { runProcess } from './main.js';

await runProcess();
