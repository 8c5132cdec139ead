#!/usr/bin/env node
/**
 * Entry point of the GitHub Action (action.yml runs `node dist/action/main.js`). It wires
 * runAction to the real process: its environment, stdout, and the `pgward` bin of the same
 * build (dist/cli/bundle/bin.js, package.json `bin`) run as a child process, as a user's
 * shell would run it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runAction, type PgwardRunner } from './run.js';

const CLI = fileURLToPath(new URL('../cli/bundle/bin.js', import.meta.url));

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
