/**
 * The files a config names are read only if they are regular files of bounded size in UTF-8:
 * `-c /dev/zero` or `password: { file: /dev/zero }` used to grow without end, and a FIFO to
 * block until something wrote to it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { MAX_CONFIG_BYTES, MAX_PASSWORD_FILE_BYTES } from '../../src/config/read-file.js';
import { ConfigError, formatProblem } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pgward-config-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(file: string): string[] {
  try {
    loadConfig(file, { cwd: dir, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config loaded');
}

function withPasswordFile(path: string): string {
  const file = join(dir, `pw-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `version: 1\nroles:\n  alice:\n    login: true\n    password: { file: ${JSON.stringify(path)} }\n`,
  );
  return file;
}

const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);

describe('the config file', () => {
  it('is refused when it is a device, a FIFO or a directory, without reading it', () => {
    expect(problemsOf('/dev/zero')).toEqual([
      'cannot read config file "/dev/zero": it is a character device, not a regular file',
    ]);
    expect(problemsOf(fifo)).toEqual([
      `cannot read config file "${fifo}": it is a named pipe (FIFO), not a regular file`,
    ]);
    expect(problemsOf(dir)).toEqual([`cannot read config file "${dir}": it is a directory`]);
  });

  it('is refused above its size bound', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'version: 1\n');
    truncateSync(big, MAX_CONFIG_BYTES + 1);
    expect(problemsOf(big)).toEqual([
      `cannot read config file "${big}": it is larger than ${MAX_CONFIG_BYTES} bytes, the most pgward reads for it`,
    ]);
  });

  it('must be UTF-8: a Latin-1 byte is reported at its line and column', () => {
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from('version: 1\nroles:\n  caf\xe9: {}\n', 'latin1'));
    expect(problemsOf('latin1.yaml')).toEqual([
      'latin1.yaml:3:6: cannot read config file "latin1.yaml": it is not UTF-8 text: byte 0xe9 at line 3, column 6 (save it as UTF-8)',
    ]);
  });

  it('may hold a real U+FFFD', () => {
    writeFileSync(join(dir, 'fffd.yaml'), 'version: 1\nroles:\n  "a\uFFFDb": {}\n');
    expect(loadConfig('fffd.yaml', { cwd: dir }).roles.map((role) => role.name)).toEqual([
      'a\uFFFDb',
    ]);
  });
});

describe('a password file', () => {
  it('is refused when it is a device or a FIFO, at the file key', () => {
    const device = withPasswordFile('/dev/zero');
    expect(problemsOf(device)).toEqual([
      `${device}:5:23: cannot read password file "/dev/zero" (password of role "alice"): it is a character device, not a regular file`,
    ]);
    const pipe = withPasswordFile(fifo);
    expect(problemsOf(pipe)).toEqual([
      `${pipe}:5:23: cannot read password file "${fifo}" (password of role "alice"): it is a named pipe (FIFO), not a regular file`,
    ]);
  });

  it('is refused above its size bound, and when it is not UTF-8', () => {
    const big = join(dir, 'big-password');
    writeFileSync(big, 'x'.repeat(MAX_PASSWORD_FILE_BYTES + 1));
    expect(problemsOf(withPasswordFile(big))[0]).toContain(
      `it is larger than ${MAX_PASSWORD_FILE_BYTES} bytes`,
    );
    const latin1 = join(dir, 'latin1-password');
    writeFileSync(latin1, Buffer.from('s\xe9cret\n', 'latin1'));
    expect(problemsOf(withPasswordFile(latin1))[0]).toContain('it is not UTF-8 text');
  });
});
