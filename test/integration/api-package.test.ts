/**
 * Library API as a package: what `import ... from 'pgward'` gives (src/index.ts), how
 * `connect()` finds its server, and how calls share the one connection.
 */
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as pgward from '../../src/index.js';
import {
  ConnectionError,
  connect,
  InvalidArgumentError,
  PgwardError,
  QueryError,
  type CreateRoleOptions,
  type GrantOptions,
  type PgwardDatabase,
  type RoleGrant,
  type RoleInfo,
} from '../../src/index.js';
import { failure } from '../support/calls.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('package exports', () => {
  it('exports connect and the error classes', () => {
    expect(typeof pgward.connect).toBe('function');
    expect(pgward.PgwardError.prototype).toBeInstanceOf(Error);
    for (const ErrorClass of [
      pgward.ConfigError,
      pgward.PlanError,
      pgward.ApplyError,
      pgward.StalePlanError,
      pgward.ConnectionError,
      pgward.QueryError,
      pgward.InvalidArgumentError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(PgwardError);
    }
  });

  it('exports the engine and the plan renderers', () => {
    for (const fn of [
      pgward.loadConfig,
      pgward.parseConfig,
      pgward.planConfig,
      pgward.applyConfig,
      pgward.applyPlanFile,
      pgward.driftOf,
      pgward.secretsFor,
      pgward.renderPlanText,
      pgward.renderPlanMarkdown,
      pgward.renderPlanSql,
      pgward.planToJson,
      pgward.planFromJson,
      pgward.driftToJson,
      pgward.hasDrift,
      pgward.requirePasswords,
      pgward.inventorySatisfied,
    ]) {
      expect(typeof fn).toBe('function');
    }
    expect(pgward.PLAN_FORMAT_VERSION).toBe(1);
  });

  it('plans a config through the package entry point', async () => {
    await server.query('CREATE ROLE planned_already');
    const config = pgward.parseConfig(
      'version: 1\nroles:\n  planned_reader: {}\n  planned_already: {}\n',
      'pgward.yaml',
    );
    const client = new pg.Client(server.url());
    await client.connect();
    try {
      const { plan } = await pgward.planConfig(client, config);
      expect(pgward.renderPlanSql(plan)).toContain('CREATE ROLE "planned_reader"');
      expect(pgward.renderPlanSql(plan)).not.toContain('planned_already');
    } finally {
      await client.end();
    }
  });

  it('types a whole session end to end', async () => {
    const options: CreateRoleOptions = { login: true, connectionLimit: 2 };
    const grantOptions: GrantOptions = { objectType: 'SCHEMA' };
    const db: PgwardDatabase = await connect(server.url());
    try {
      await db.createRole('typed', options);
      await db.grant('USAGE', 'public', 'typed', grantOptions);
      await server.query('CREATE TABLE typed_table (id int); GRANT SELECT ON typed_table TO typed');
      const roles: RoleInfo[] = await db.listRoles();
      const grants: RoleGrant[] = await db.listRoleGrants('typed');
      expect(roles.find((role) => role.name === 'typed')?.connection_limit).toBe(2);
      expect(grants).toEqual([
        { schema: 'public', object_name: 'typed_table', privilege: 'SELECT' },
      ]);
      expect(Math.floor(db.serverVersionNum / 10000)).toBe(server.major);
    } finally {
      await db.close();
    }
  });
});

describe('connect', () => {
  it('uses DATABASE_URL when given no URL', async () => {
    vi.stubEnv('DATABASE_URL', server.url());
    const db = await connect();
    try {
      expect(await db.roleExists('postgres')).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('fails with a ConnectionError that names the target but not the password', async () => {
    const url = new URL(server.url());
    url.password = 'Wrong-Password-42';
    const error = await failure(connect(url.toString()));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`database "${server.database}"`);
    expect(error.message).toContain('password authentication failed');
    expect(error.message).not.toContain('Wrong-Password-42');
  });
});

describe('one connection, one call at a time', () => {
  it('runs calls made without awaiting one after another, each in its own transaction', async () => {
    const db = await connect(server.url());
    try {
      // Interleaved on one client, the failing call's ROLLBACK would undo the others.
      const results = await Promise.allSettled([
        db.createRole('queued_a'),
        db.dropRole('queued_missing'),
        db.createRole('queued_b', { inRoles: ['queued_a'] }),
        db.listRoleMembers('queued_a'),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect((results[3] as PromiseFulfilledResult<string[]>).value).toEqual(['queued_b']);
      const rows = await server.query<{ rolname: string }>(
        `SELECT rolname FROM pg_roles WHERE rolname LIKE 'queued%' ORDER BY 1`,
      );
      expect(rows.map((row) => row.rolname)).toEqual(['queued_a', 'queued_b']);
    } finally {
      await db.close();
    }
  });

  it('keeps working after a failed call', async () => {
    const db = await connect(server.url());
    try {
      await expect(db.grant('SELECT', 'missing_table', 'queued_a')).rejects.toBeInstanceOf(
        QueryError,
      );
      await expect(db.grant('EXECUTE', 'missing_table', 'queued_a')).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await db.createRole('after_failure')).toBe(true);
      const [row] = await server.query<{ state: string }>(
        `SELECT state FROM pg_stat_activity WHERE application_name = 'pgward' AND pid <> pg_backend_pid()`,
      );
      expect(row?.state).toBe('idle');
    } finally {
      await db.close();
    }
  });

  it('refuses calls after close, and closing twice is harmless', async () => {
    const db = await connect(server.url());
    await db.close();
    await expect(db.close()).resolves.toBeUndefined();
    const error = await failure(db.roleExists('postgres'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe('the pgward connection is closed');
  });
});
