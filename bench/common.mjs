// Helpers shared by the bench scripts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Option `--name` of parseArgs' `options` as a positive integer; exits with a message if not. */
export function positiveOption(options, name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: --${name} must be a positive integer, got "${options[name]}"`);
    process.exit(1);
  }
  return value;
}

/**
 * Runs the bench's `work`, then `cleanUp` whatever happened (servers, temporary files); a
 * failure is one message on stderr and exit code 1.
 */
export async function measuring(work, cleanUp, { stack = false } = {}) {
  let failed = false;
  try {
    await work();
  } catch (error) {
    failed = true;
    const text = error instanceof Error ? (stack ? error.stack : error.message) : String(error);
    console.error(`bench failed: ${text}`);
  } finally {
    await cleanUp();
  }
  if (failed) process.exit(1);
}

/** parseArgs options for the size of catalog.mjs's workload, shared by the bench scripts. */
export const WORKLOAD_OPTIONS = {
  tables: { type: 'string', default: '5000' },
  roles: { type: 'string', default: '550' },
  schemas: { type: 'string', default: '50' },
};

/** --tables, --roles, --schemas and --runs, checked: positive integers, else exit 1. */
export function sizeOptions(options) {
  const positive = (name) => positiveOption(options, name);
  return {
    tables: positive('tables'),
    roles: positive('roles'),
    schemas: positive('schemas'),
    runs: positive('runs'),
  };
}

/**
 * The bin of a built dist/ as users run it: the bundle (dist/cli/bundle/bin.js, package.json's
 * bin), or, for a build from before the bundle (`--before`), its entry module.
 */
export function binOf(dist) {
  const bundled = join(dist, 'cli/bundle/bin.js');
  return existsSync(bundled) ? bundled : join(dist, 'cli/main.js');
}
