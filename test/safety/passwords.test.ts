/**
 * Safety promise 1: a password from the config never reaches the server in plaintext (pgward
 * sends a SCRAM-SHA-256 verifier it computed itself) and never appears in any output, plan
 * file or error. Password drift is seen when the stored verifiers are readable, and passwords
 * are set-only (with one warning) when they are not. MD5 passwords are replaced by SCRAM.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { applyConfig, applyPlanFile, planConfig } from '../../src/engine.js';
import { scramMatches, scramVerifier } from '../../src/passwords/scram.js';
import { planFromJson, planToJson } from '../../src/plan/planfile.js';
import { quoteIdent, quoteLiteral } from '../../src/sql/quote.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/sandbox/embedded-postgres.js';
import { binariesFor } from '../support/binaries.js';
import { waitFor } from '../support/calls.js';
import { runCli, type CliResult } from '../support/cli.js';
import { connected, urlAs } from '../support/login.js';
import { useTestServer } from '../support/server.js';
import { configFile, firstLine, recording, tempDir, type SentStatement } from './support.js';

const server = useTestServer();

// Distinctive plaintexts: if any of them shows up anywhere, a password leaked.
const ALPHA = 'Alpha-plaintext-7f3c9e!';
const BRAVO = 'Bravo-plaintext-41d0aa?';
const CHARLIE = 'Charlie-plaintext-99b2';
const PLAINTEXTS = [ALPHA, BRAVO, CHARLIE];
// A verifier written in the config (`hashed`) is a secret too: it must not be printed either.
const HASHED = scramVerifier('Delta-plaintext-0c1d');

let dir: string;
beforeAll(async () => {
  dir = await tempDir('passwords');
  await writeFile(join(dir, 'bravo.password'), `${BRAVO}\n`);
});

const ENV = { PW_ALPHA: ALPHA, PW_CHARLIE: CHARLIE };

/** A config with a password from each source; `prefix` keeps each test's roles apart. */
function passwordsConfig(prefix: string): string {
  return `version: 1
roles:
  ${prefix}_alpha:
    login: true
    password: { env: PW_ALPHA }
  ${prefix}_bravo:
    login: true
    password: { file: bravo.password }
  ${prefix}_charlie:
    login: true
    password: { env: PW_CHARLIE }
  ${prefix}_delta:
    login: true
    password: { hashed: "${HASHED}" }
`;
}

async function storedPassword(role: string): Promise<string | null> {
  const [row] = await server.query<{ rolpassword: string | null }>(
    'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
    [role],
  );
  if (!row) throw new Error(`role ${role} does not exist`);
  return row.rolpassword;
}

/**
 * No plaintext in any of `texts`; with `shown`, not even the configured verifier (it is what
 * the server receives, but outputs and files must not show it either).
 */
function expectNoSecret(texts: readonly string[], what: string, shown = false): void {
  for (const text of texts) {
    for (const secret of shown ? [...PLAINTEXTS, HASHED] : PLAINTEXTS) {
      expect(text.includes(secret), `${what} contains a password:\n${text}`).toBe(false);
    }
  }
}

function sentTexts(sent: readonly SentStatement[]): string[] {
  return sent.flatMap(({ text, params }) => [text, ...params.map((param) => String(param))]);
}

describe('what pgward sends to the server', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = await connected(server.url());
  });
  afterAll(async () => {
    await client.end();
  });

  it('sends SCRAM verifiers, never a plaintext, in every statement of an apply', async () => {
    // One role exists with another password: its change is sent as a verifier too.
    await server.query(`CREATE ROLE sent_charlie LOGIN PASSWORD 'an old password'`);
    const config = loadConfig(await configFile(dir, passwordsConfig('sent')), { env: ENV });
    const wire = recording(client);

    const result = await applyConfig(wire.client, config, { lockTimeout: '5s' });

    expect(result.outcome).toBe('applied');
    expectNoSecret(sentTexts(wire.sent), 'a statement sent to the server');
    const passwordStatements = wire.sent.filter(({ text }) => /\bPASSWORD\b/.test(text));
    expect(passwordStatements.map(({ text }) => text.split(' PASSWORD ')[0])).toEqual([
      'CREATE ROLE "sent_alpha" WITH LOGIN',
      'CREATE ROLE "sent_bravo" WITH LOGIN',
      'CREATE ROLE "sent_delta" WITH LOGIN',
      'ALTER ROLE "sent_charlie"',
    ]);
    for (const { text } of passwordStatements) {
      expect(text).toMatch(/ PASSWORD 'SCRAM-SHA-256\$4096:[^']+'$/);
    }
    // What the server stored is a verifier of exactly the configured passwords.
    expect(scramMatches(ALPHA, (await storedPassword('sent_alpha')) ?? '')).toBe(true);
    expect(scramMatches(BRAVO, (await storedPassword('sent_bravo')) ?? '')).toBe(true);
    expect(scramMatches(CHARLIE, (await storedPassword('sent_charlie')) ?? '')).toBe(true);
    expect(await storedPassword('sent_delta')).toBe(HASHED);
  });

  it('sends verifiers, never a plaintext, when applying a saved plan file', async () => {
    const config = loadConfig(await configFile(dir, passwordsConfig('file')), { env: ENV });
    const { plan } = await planConfig(client, config, { fingerprint: true });
    const json = JSON.stringify(planToJson(plan));
    expectNoSecret([json], 'the plan file', true);
    const wire = recording(client);

    await applyPlanFile(wire.client, planFromJson(JSON.parse(json)), config, {
      lockTimeout: '5s',
    });

    expectNoSecret(sentTexts(wire.sent), 'a statement sent to the server');
    expect(wire.sent.filter(({ text }) => text.includes("PASSWORD 'SCRAM-SHA-256$"))).toHaveLength(
      4,
    );
    expect(scramMatches(ALPHA, (await storedPassword('file_alpha')) ?? '')).toBe(true);
  });
});

describe('the server log', () => {
  // A server of its own that logs every statement it receives (and every failing one with
  // its text) to a file this test reads back.
  let logged: EmbeddedPostgres;
  beforeAll(async () => {
    logged = await startEmbeddedPostgres({
      binaries: await binariesFor(server.major),
      ...(inject('pgTemplateDataDir') ? { templateDataDir: inject('pgTemplateDataDir') } : {}),
      settings: {
        logging_collector: 'on',
        log_directory: 'log',
        log_filename: 'postgresql.log',
        log_statement: 'all',
        log_min_error_statement: 'error',
      },
    });
  });
  afterAll(async () => {
    await logged.stop();
  });

  async function serverLog(): Promise<string> {
    const folder = join(logged.dataDir, 'log');
    const files = await readdir(folder);
    const texts = await Promise.all(files.map((file) => readFile(join(folder, file), 'utf8')));
    return texts.join('\n');
  }

  it('has verifiers only, for applies that succeed and for one that fails', async () => {
    const url = logged.url();
    const file = await configFile(dir, passwordsConfig('log'));
    const applied = await runCli(['apply', '--yes', '-c', file, '--db', url], { env: ENV });
    expect(applied.exitCode, applied.stderr).toBe(0);

    // A hand change, then an apply whose password statement fails: another session holds the
    // role's row, so ALTER ROLE ... PASSWORD waits and runs into --lock-timeout.
    const admin = await connected(url);
    try {
      await admin.query(`ALTER ROLE log_alpha PASSWORD 'changed by hand'`);
      await admin.query('BEGIN');
      await admin.query('ALTER ROLE log_alpha CONNECTION LIMIT 3');
      const failed = await runCli(
        ['apply', '--yes', '--lock-timeout', '200ms', '-c', file, '--db', url],
        { env: ENV },
      );
      expect(failed.exitCode).toBe(1);
      expect(firstLine(failed.stderr)).toContain('ALTER ROLE "log_alpha" PASSWORD (sensitive)');
      await admin.query('ROLLBACK');
    } finally {
      await admin.end();
    }

    // Logging is asynchronous (the collector process): wait for the last statement.
    await waitFor('the failed statement in the log', async () =>
      /ERROR:.*lock timeout/.test(await serverLog()),
    );
    const log = await serverLog();
    expect(log).toMatch(/CREATE ROLE "log_alpha" WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(log).toMatch(/STATEMENT: {2}ALTER ROLE "log_alpha" PASSWORD 'SCRAM-SHA-256\$4096:/);
    for (const secret of PLAINTEXTS) expect(log.includes(secret), secret).toBe(false);
  });
});

describe('what pgward prints and writes', () => {
  it('shows (sensitive) in every plan format, plan files, drift, apply and errors; export never shows one', async () => {
    await server.query(`CREATE ROLE out_charlie LOGIN PASSWORD 'an old password'`);
    const file = await configFile(dir, passwordsConfig('out'));
    const db = ['--db', server.url(), '-c', file];
    const outputs: CliResult[] = [];
    const run = async (args: string[]): Promise<CliResult> => {
      const result = await runCli(args, { env: ENV, cwd: dir });
      outputs.push(result);
      return result;
    };

    for (const format of ['text', 'json', 'markdown', 'sql']) {
      const plan = await run(['plan', '--format', format, ...db]);
      expect(plan.exitCode, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('(sensitive)');
    }
    const planFile = join(dir, 'out-plan.json');
    expect((await run(['plan', '--out', planFile, ...db])).exitCode).toBe(0);
    const saved = await readFile(planFile, 'utf8');
    expect(saved).toContain('(sensitive)');
    for (const format of ['text', 'json', 'markdown']) {
      expect((await run(['drift', '--format', format, ...db])).exitCode).toBe(2);
    }
    expect((await run(['validate', '-c', file])).exitCode).toBe(0);

    // A failing apply that sets passwords: its error names the statement, shown as (sensitive).
    const holder = await connected(server.url());
    try {
      await holder.query('BEGIN');
      await holder.query('ALTER ROLE out_charlie CONNECTION LIMIT 3');
      const failed = await run(['apply', '--yes', '--lock-timeout', '200ms', ...db]);
      expect(failed.exitCode).toBe(1);
      expect(firstLine(failed.stderr)).toMatch(
        /^error: apply failed at step \d+ of \d+ \(ALTER ROLE "out_charlie" PASSWORD \(sensitive\)\): .*lock timeout/,
      );
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    const applied = await run(['apply', planFile, ...db]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(scramMatches(CHARLIE, (await storedPassword('out_charlie')) ?? '')).toBe(true);
    expect(await storedPassword('out_delta')).toBe(HASHED);
    // Now that the roles have their passwords: export and the role listing show none.
    const exported = await run(['export', '--db', server.url()]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('out_delta:');
    expect((await run(['roles', '--format', 'json', '--db', server.url()])).exitCode).toBe(0);

    expectNoSecret(
      [saved, ...outputs.flatMap(({ stdout, stderr }) => [stdout, stderr])],
      'pgward output',
      true,
    );
  });

  it('does not echo a password written where it does not belong', async () => {
    const file = await configFile(
      dir,
      `version: 1\nroles:\n  leak:\n    login: true\n    password: "${ALPHA}"\n`,
    );
    for (const command of ['validate', 'plan']) {
      const result = await runCli([command, '-c', file, '--db', server.url()]);
      expect(result.exitCode).toBe(1);
      expect(firstLine(result.stderr)).toMatch(new RegExp(`^error: ${file}:5:15: `));
      expectNoSecret([result.stdout, result.stderr], `${command} output`, true);
    }
  });
});

describe('password drift', () => {
  it('is seen by a superuser: unchanged is no change, a hand change is drift and is repaired', async () => {
    const file = await configFile(dir, passwordsConfig('drift'));
    const args = ['-c', file, '--db', server.url()];
    expect((await runCli(['apply', '--yes', ...args], { env: ENV })).exitCode).toBe(0);
    expect((await runCli(['plan', '--detailed-exitcode', ...args], { env: ENV })).exitCode).toBe(0);

    await server.query(`ALTER ROLE drift_bravo PASSWORD 'other'`);
    await server.query(`ALTER ROLE drift_delta PASSWORD 'other'`);
    const drift = await runCli(['drift', '--format', 'json', ...args], { env: ENV });
    expect(drift.exitCode).toBe(2);
    const changes = (JSON.parse(drift.stdout) as { changes: { sql: string[] }[] }).changes;
    expect(changes.flatMap((change) => change.sql)).toEqual([
      'ALTER ROLE "drift_bravo" PASSWORD (sensitive)',
      'ALTER ROLE "drift_delta" PASSWORD (sensitive)',
    ]);

    expect((await runCli(['apply', '--yes', ...args], { env: ENV })).exitCode).toBe(0);
    expect(scramMatches(BRAVO, (await storedPassword('drift_bravo')) ?? '')).toBe(true);
    expect(await storedPassword('drift_delta')).toBe(HASHED);
    expect((await runCli(['drift', ...args], { env: ENV })).exitCode).toBe(0);
  });

  it('is set-only, with one warning, for a CREATEROLE admin that cannot read pg_authid', async () => {
    await server.query(`CREATE ROLE pw_admin LOGIN CREATEROLE PASSWORD 'pw-admin'`);
    const file = await configFile(dir, passwordsConfig('setonly'));
    const args = ['-c', file, '--db', urlAs(server, 'pw_admin', 'pw-admin')];
    const warning =
      'warning: passwords are set only when a role is created: pg_authid is not readable by the connecting role (not a superuser), so password drift cannot be seen';

    const applied = await runCli(['apply', '--yes', ...args], { env: ENV });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('CREATE ROLE "setonly_alpha" WITH LOGIN PASSWORD (sensitive)');
    // The role logs in with the configured password: the verifier was right.
    const login = await connected(urlAs(server, 'setonly_alpha', ALPHA));
    await login.end();

    // Changed by hand: pgward cannot see it, says so once, and plans nothing (no perpetual diff).
    await server.query(`ALTER ROLE setonly_bravo PASSWORD 'other'`);
    for (const command of ['plan', 'drift']) {
      const result = await runCli([command, ...args], { env: ENV });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([
        warning,
      ]);
    }
  });

  it('reports an MD5 password and sets it again as SCRAM', async () => {
    // md5 is deprecated (PostgreSQL 18 warns) but still accepted on every supported version.
    await server.query(
      `SET password_encryption = 'md5'; CREATE ROLE md5_alpha LOGIN PASSWORD '${ALPHA}'`,
    );
    expect(await storedPassword('md5_alpha')).toMatch(/^md5[0-9a-f]{32}$/);
    const file = await configFile(
      dir,
      'version: 1\nroles:\n  md5_alpha:\n    login: true\n    password: { env: PW_ALPHA }\n',
    );
    const args = ['-c', file, '--db', server.url()];

    const plan = await runCli(['plan', '--format', 'sql', ...args], { env: ENV });
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('ALTER ROLE "md5_alpha" PASSWORD (sensitive);');
    expect(plan.stderr).toContain(
      'warning: role "md5_alpha" has a password stored as MD5: it will be set again as SCRAM-SHA-256',
    );
    expect((await runCli(['apply', '--yes', ...args], { env: ENV })).exitCode).toBe(0);
    const stored = (await storedPassword('md5_alpha')) ?? '';
    expect(stored).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(scramMatches(ALPHA, stored)).toBe(true);
    expect((await runCli(['plan', '--detailed-exitcode', ...args], { env: ENV })).exitCode).toBe(0);
  });
});

describe('non-ASCII passwords (SASLprep as PostgreSQL and libpq apply it)', () => {
  // Each kind: SASLprep succeeds (normalized), or fails and libpq and the server hash the raw
  // bytes (emoji are unassigned in Unicode 3.2; bidi; prohibited characters).
  const PASSWORDS = {
    ascii: 'Echo-plaintext-5a1e',
    nfkc: '\ufb01x-Echo',
    nothing: 'pa\u00adss\u00a0Echo',
    ligature_emoji: '\ufb01\ud83d\ude00',
    combining_emoji: 'Pa\u0308ss\ud83d\ude00',
    bidi: '\u05d0\uff11',
    c1_control: 'ab\u0085\uff21',
    ascii_control: '\ufb01x\u0007',
    fullwidth_emoji: '\uff21\uff22\ud83d\ude00',
  } as const;
  const FALLS_BACK_TO_RAW = new Set([
    'ligature_emoji',
    'combining_emoji',
    'bidi',
    'c1_control',
    'ascii_control',
    'fullwidth_emoji',
  ]);
  const names = Object.keys(PASSWORDS) as (keyof typeof PASSWORDS)[];
  const env = Object.fromEntries(names.map((name) => [`PW_${name}`, PASSWORDS[name]]));
  // The other tests of this file leave a CREATEROLE admin (pw_admin) behind, which drift
  // would report (an unmanaged role with power, spec §10): this test is about passwords.
  const config = `version: 1\nsettings: { ignore_roles: ['pw_*'] }\nroles:\n${names
    .map((name) => `  sasl_${name}:\n    login: true\n    password: { env: PW_${name} }\n`)
    .join('')}`;

  /** Logs in with psql, that is libpq, the reference client; resolves to the session user. */
  function psqlLogin(role: string, password: string): Promise<string> {
    const url = new URL(server.url());
    return new Promise((resolve, reject) => {
      execFile(
        'psql',
        [
          `host=${url.hostname} port=${url.port} dbname=${server.database} user=${role} sslmode=disable`,
          '-w',
          '-Atc',
          'SELECT session_user',
        ],
        { env: { PATH: process.env.PATH ?? '', PGPASSWORD: password } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`psql: ${stderr || error.message}`)) : resolve(stdout.trim()),
      );
    });
  }

  it('sets verifiers libpq logs in with, and drift agrees with the server in both directions', async () => {
    const file = await configFile(dir, config);
    const args = ['-c', file, '--db', server.url()];
    const applied = await runCli(['apply', '--yes', ...args], { env });
    expect(applied.exitCode, applied.stderr).toBe(0);

    for (const name of names) {
      const role = `sasl_${name}`;
      // libpq (psql) logs in with every password pgward set.
      expect(await psqlLogin(role, PASSWORDS[name])).toBe(role);
      // node-postgres 8 always normalizes and never falls back to the raw password (its
      // lib/crypto/sasl.js): it cannot log in where SASLprep fails, whoever set the password.
      const viaNodePostgres = await connected(urlAs(server, role, PASSWORDS[name])).then(
        async (client) => {
          await client.end();
          return 'logged in';
        },
        (error: Error) => error.message,
      );
      expect(viaNodePostgres, role).toBe(
        FALLS_BACK_TO_RAW.has(name)
          ? `password authentication failed for user "${role}"`
          : 'logged in',
      );
    }

    // The same passwords set by the server itself (from the plaintext) are not drift ...
    await server.query(
      `SET password_encryption = 'scram-sha-256'; ${names
        .map(
          (name) =>
            `ALTER ROLE ${quoteIdent(`sasl_${name}`)} PASSWORD ${quoteLiteral(PASSWORDS[name])};`,
        )
        .join(' ')}`,
    );
    expect((await runCli(['drift', ...args], { env })).exitCode).toBe(0);

    // ... while the verifier of the normalized password, which no libpq client logs in with
    // where SASLprep fails, is.
    await server.query(
      `ALTER ROLE sasl_ligature_emoji PASSWORD ${quoteLiteral(scramVerifier('fi\ud83d\ude00'))}`,
    );
    await expect(psqlLogin('sasl_ligature_emoji', PASSWORDS.ligature_emoji)).rejects.toThrow(
      'password authentication failed',
    );
    const drift = await runCli(['drift', '--format', 'json', ...args], { env });
    expect(drift.exitCode).toBe(2);
    expect(
      (JSON.parse(drift.stdout) as { changes: { sql: string[] }[] }).changes.flatMap(
        (change) => change.sql,
      ),
    ).toEqual(['ALTER ROLE "sasl_ligature_emoji" PASSWORD (sensitive)']);
    expect((await runCli(['apply', '--yes', ...args], { env })).exitCode).toBe(0);
    expect(await psqlLogin('sasl_ligature_emoji', PASSWORDS.ligature_emoji)).toBe(
      'sasl_ligature_emoji',
    );
    expect((await runCli(['plan', '--detailed-exitcode', ...args], { env })).exitCode).toBe(0);
  });
});
