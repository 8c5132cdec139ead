/**
 * Drift that misses nothing (spec §10): hand changes that apply leaves alone still make
 * `drift` exit 2 and name them, in text and JSON with a kind and a reason; `plan` shows them
 * as warnings, and its --detailed-exitcode stays about changes.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const config = useConfigFiles('pgward-drift-');

interface DriftFinding {
  kind: string;
  fixed_by_apply: boolean;
  role?: string;
  summary: string;
  reason: string;
}

async function driftJson(
  db: readonly string[],
): Promise<{ exitCode: number; findings: DriftFinding[] }> {
  const result = await runCli(['drift', '--format', 'json', ...db]);
  const json = JSON.parse(result.stdout) as { findings: DriftFinding[]; changes: unknown[] };
  expect(json.changes).toBeInstanceOf(Array);
  return { exitCode: result.exitCode, findings: json.findings };
}

describe('unmanaged roles with power', () => {
  it('reports a new superuser with any setting, until ignore_roles matches it; apply leaves it', async () => {
    const file = await config('version: 1\nroles:\n  pf_app:\n    login: true\n');
    const db = ['-c', file, '--db', server.url()];
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);

    await server.query('CREATE ROLE pf_evil LOGIN SUPERUSER');
    await server.query('CREATE ROLE pf_ops CREATEROLE REPLICATION BYPASSRLS');
    await server.query('CREATE ROLE pf_plain LOGIN');

    const drift = await runCli(['drift', ...db]);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain('  ! role "pf_evil" has SUPERUSER but is not in the config\n');
    expect(drift.stdout).toContain(
      '  ! role "pf_ops" has CREATEROLE, REPLICATION, BYPASSRLS but is not in the config\n',
    );
    expect(drift.stdout).toContain('bypasses every privilege check');
    // unmanaged_roles defaults to ignore: a role with no power is not a finding.
    expect(drift.stdout).not.toContain('pf_plain');
    expect(drift.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Drift: 2 findings that apply leaves alone.',
    );

    const json = await driftJson(db);
    expect(json.exitCode).toBe(2);
    expect(
      json.findings.map(({ kind, role, fixed_by_apply }) => ({ kind, role, fixed_by_apply })),
    ).toEqual([
      { kind: 'privileged_unmanaged_role', role: 'pf_evil', fixed_by_apply: false },
      { kind: 'privileged_unmanaged_role', role: 'pf_ops', fixed_by_apply: false },
    ]);
    expect(json.findings[0]?.reason).toMatch(/^it bypasses every privilege check; /);

    // plan: a warning on stderr, no change, so --detailed-exitcode stays 0.
    const plan = await runCli(['plan', '--detailed-exitcode', ...db]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.stderr).toContain(
      'warning: role "pf_evil" has SUPERUSER but is not in the config: it bypasses',
    );

    // apply leaves unmanaged roles alone: the superuser is still there, and still drift.
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    const super_ = await server.query<{ rolsuper: boolean }>(
      "SELECT rolsuper FROM pg_roles WHERE rolname = 'pf_evil'",
    );
    expect(super_).toEqual([{ rolsuper: true }]);
    expect((await runCli(['drift', ...db])).exitCode).toBe(2);

    const ignoring = await config(
      'version: 1\nsettings:\n  ignore_roles: ["pf_evil", "pf_o*"]\nroles:\n  pf_app:\n    login: true\n',
    );
    const quiet = await runCli(['drift', '-c', ignoring, '--db', server.url()]);
    expect(quiet.exitCode, quiet.stdout).toBe(0);
    expect(quiet.stdout).toContain('No drift');
    await server.query('DROP ROLE pf_evil, pf_ops, pf_plain, pf_app');
  });

  it('never reports protected roles: the connecting superuser and pg_* roles', async () => {
    const file = await config('version: 1\nroles:\n  pf_only:\n    login: true\n');
    const db = ['-c', file, '--db', server.url()];
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    // The test connects as the bootstrap superuser; pg_* roles have no attributes but exist.
    const json = await driftJson(db);
    expect(json).toEqual({ exitCode: 0, findings: [] });
    await server.query('DROP ROLE pf_only');
  });
});

describe('unmanaged_roles: report', () => {
  it('reports every unmanaged role: drift exits 2, plan warns, apply changes nothing', async () => {
    const file = await config(
      'version: 1\nsettings:\n  unmanaged_roles: report\nroles:\n  rp_app:\n    login: true\n',
    );
    const db = ['-c', file, '--db', server.url()];
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);

    await server.query('CREATE ROLE rp_stray');
    const drift = await runCli(['drift', ...db]);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain('  ! role "rp_stray" exists but is not in the config\n');
    expect(drift.stdout).toContain('unmanaged_roles: report');
    const json = await driftJson(db);
    expect(json.findings).toEqual([
      {
        kind: 'unmanaged_role',
        fixed_by_apply: false,
        database: null,
        role: 'rp_stray',
        summary: 'role "rp_stray" exists but is not in the config',
        reason:
          'unmanaged_roles: report: apply leaves it and its access as they are; declare it, match it with ignore_roles, or drop it',
      },
    ]);

    const markdown = await runCli(['drift', '--format', 'markdown', ...db]);
    expect(markdown.exitCode).toBe(2);
    expect(markdown.stdout).toContain('! role "rp_stray" exists but is not in the config\n');

    const plan = await runCli(['plan', ...db]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).toContain('warning: role "rp_stray" exists but is not in the config');

    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'rp_stray'")).toHaveLength(1);
    expect((await runCli(['drift', ...db])).exitCode).toBe(2);

    await server.query('DROP ROLE rp_stray');
    const clean = await runCli(['drift', ...db]);
    expect(clean.exitCode).toBe(0);
  });
});

describe('privileges on system catalog objects', () => {
  it('grants the declared ones, revokes one granted by hand, and never touches the initial ones', async () => {
    const file = await config(
      [
        'version: 1',
        'roles:',
        '  sys_api:',
        '    login: true',
        '    grants:',
        '      - privileges: [EXECUTE]',
        '        object_type: function',
        '        objects: ["pg_catalog.pg_ls_dir(text)"]',
        '',
      ].join('\n'),
    );
    const db = ['-c', file, '--db', server.url()];
    const aclOf = async (relation: string): Promise<unknown> =>
      (
        await server.query<{ relacl: unknown }>(
          'SELECT relacl::text FROM pg_class WHERE oid = $1::regclass',
          [relation],
        )
      )[0]?.relacl;
    const pgClassAcl = await aclOf('pg_catalog.pg_class');

    const plan = await runCli(['plan', ...db]);
    expect(plan.stdout).toContain(
      'GRANT EXECUTE ON FUNCTION "pg_catalog"."pg_ls_dir"(text) TO "sys_api"',
    );
    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    const canList = async (): Promise<unknown> =>
      (
        await server.query<{ can: boolean }>(
          "SELECT has_function_privilege('sys_api', 'pg_catalog.pg_ls_dir(text)', 'EXECUTE') AS can",
        )
      )[0]?.can;
    expect(await canList()).toBe(true);
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);

    await server.query('GRANT SELECT ON pg_catalog.pg_authid TO sys_api');
    const drift = await runCli(['drift', ...db]);
    expect(drift.exitCode).toBe(2);
    expect(drift.stdout).toContain(
      'REVOKE SELECT ON TABLE "pg_catalog"."pg_authid" FROM "sys_api"',
    );
    const json = await driftJson(db);
    expect(json.exitCode).toBe(2);
    expect(json.findings).toEqual([
      expect.objectContaining({
        kind: 'undeclared_system_privilege',
        fixed_by_apply: true,
        reason: expect.stringContaining('pg_init_privs') as unknown,
      }),
    ]);
    expect(json.findings[0]?.summary).toContain('pg_authid');

    expect((await runCli(['apply', '--yes', ...db])).exitCode).toBe(0);
    const readsAuthid = await server.query<{ can: boolean }>(
      "SELECT has_table_privilege('sys_api', 'pg_catalog.pg_authid', 'SELECT') AS can",
    );
    expect(readsAuthid).toEqual([{ can: false }]);
    expect(await canList()).toBe(true);
    // PUBLIC's initial SELECT on pg_class is PostgreSQL's: the apply left the ACL as it was.
    expect(await aclOf('pg_catalog.pg_class')).toEqual(pgClassAcl);
    expect((await runCli(['drift', ...db])).exitCode).toBe(0);
    const again = await runCli(['plan', '--detailed-exitcode', ...db]);
    expect(again.exitCode).toBe(0);

    // export writes the declared system grant, and applying the export back changes nothing.
    const exported = await runCli(['export', '--include', 'sys_*', '--db', server.url()]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('pg_catalog.pg_ls_dir(text)');
    const back = await config(exported.stdout);
    const noop = await runCli(['plan', '--detailed-exitcode', '-c', back, '--db', server.url()]);
    expect(noop.exitCode, noop.stdout).toBe(0);
    await server.query('DROP OWNED BY sys_api; DROP ROLE sys_api');
  });
});
