#!/usr/bin/env node
/**
 * Entry point of the GitHub Action (action.yml runs `node dist/action/main.js`). It wires
 * runAction to the real process: its environment, stdout, and the `pgward` bin of the same
 * build (dist/cli/bundle/bin.js, package.json `bin`) run as a child process, as a user's
 * shell would run it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAction, type PgwardRunner } from './run.js';

// The bundle, unless this runner's build could not make it (scripts/build.mjs).
const BUNDLE = fileURLToPath(new URL('../cli/bundle/bin.js', import.meta.url));
const CLI = existsSync(BUNDLE) ? BUNDLE : fileURLToPath(new URL('../cli/main.js', import.meta.url));

const runPgward: PgwardRunner = (args, options) =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: options.env, cwd: options.cwd, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else
          resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });

const code = await runAction({
  env: process.env,
  cwd: process.cwd(),
  write: (text) => process.stdout.write(text),
  pgward: runPgward,
});
process.exitCode = code;
