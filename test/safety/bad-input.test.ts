/**
 * Safety promise 5: hostile or broken input never changes the database. Every file of the
 * bad-config corpus (test/fixtures/bad-configs, problems the loader finds) and of the bad-plan
 * corpus (test/fixtures/bad-plans, problems only the catalog reveals) goes through `plan` and
 * `apply --yes` against a real database: exit 1, the first line of stderr says FILE:LINE:COL
 * and what is wrong, and a whole-catalog snapshot is the same afterwards. Names that look like
 * SQL, carry quotes or fill 63 bytes are valid and are created exactly as written.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogSnapshot, quoteIdentForTest } from '../support/catalog.js';
import { runCli } from '../support/cli.js';
import { corpus, expectations } from '../support/corpus.js';
import { useTestServer } from '../support/server.js';
import { configFile, firstLine, tempDir } from './support.js';

const server = useTestServer();

/** Config problems that are a password's secret missing, not a mistake in the file. */
const SECRET_PROBLEM =
  /^(environment variable "[^"]+" is (not set|empty)|cannot read password file|password file "[^"]+" is empty)/;

/**
 * Runs every file of a corpus through plan and apply --yes (from the corpus folder, so
 * relative password files resolve and messages name the file as given).
 */
async function expectRefusedUnchanged(
  folder: 'bad-configs' | 'bad-plans',
  minimum: number,
): Promise<void> {
  const { dir, files } = corpus(folder);
  expect(files.length).toBeGreaterThanOrEqual(minimum);
  const before = await catalogSnapshot(server, [server.database]);
  const failures: string[] = [];
  for (const file of files) {
    const [first, ...more] = expectations(join(dir, file));
    expect(first, `${file} must start with "# expect: LINE:COL message"`).toBeDefined();
    if (first === undefined) continue;
    // A password secret that cannot be read stops only what needs it (spec §10): plan reads
    // without it, with a note; plan --out and apply are refused like any other problem.
    const needsSecret = SECRET_PROBLEM.test(first.text);
    if (needsSecret) {
      const read = await runCli(['plan', '-c', file, '--db', server.url()], { cwd: dir });
      if (read.exitCode !== 0 || !/^password of role "[^"]+" not checked: /.test(read.stderr))
        failures.push(
          `plan ${file}: exit ${read.exitCode}, expected 0 with a note\n  got: ${read.stderr}`,
        );
    }
    const commands = needsSecret
      ? [
          ['plan', '--out', 'never-written.json'],
          ['apply', '--yes'],
        ]
      : [['plan'], ['apply', '--yes']];
    for (const command of commands) {
      // No environment at all: the corpus must not depend on the variables of whoever runs it.
      const result = await runCli([...command, '-c', file, '--db', server.url()], { cwd: dir });
      const headline = firstLine(result.stderr);
      const where = `error: ${file}:${first.line}:${first.column}: `;
      const ok =
        result.exitCode === 1 &&
        result.stdout === '' &&
        headline.startsWith(where) &&
        headline.includes(first.text) &&
        more.every((expected) =>
          result.stderr.includes(`${file}:${expected.line}:${expected.column}: `),
        );
      if (!ok)
        failures.push(
          `${command[0]} ${file}: exit ${result.exitCode}\n  expected: ${where}...${first.text}\n  got:      ${headline}`,
        );
    }
  }
  expect(failures).toEqual([]);
  expect(await catalogSnapshot(server, [server.database])).toBe(before);
}

describe('broken configs', () => {
  it('the bad-config corpus: exit 1, FILE:LINE:COL and the problem first, nothing changed', async () => {
    await expectRefusedUnchanged('bad-configs', 70);
  });

  it('the bad-plan corpus (unknown roles and objects): the same, found against the catalog', async () => {
    await expectRefusedUnchanged('bad-plans', 8);
  });
});

describe('hostile but valid names', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('bad-input');
  });

  it('creates a role named like SQL literally, and nothing else happens', async () => {
    const hostile = 'x"; DROP ROLE postgres; --';
    await server.query(`CREATE TABLE public."t'; DROP TABLE x; --" (id int)`);
    const file = await configFile(
      dir,
      `version: 1
roles:
  'x"; DROP ROLE postgres; --':
    login: true
    description: "'); DROP TABLE users; --"
    config: { application_name: "'; SELECT 1; --" }
    grants:
      - privileges: [SELECT]
        object_type: table
        objects: ['public."t''; DROP TABLE x; --"']
`,
    );
    const args = ['-c', file, '--db', server.url()];
    const rolesBefore = await server.query<{ rolname: string }>(
      'SELECT rolname FROM pg_roles ORDER BY 1',
    );

    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const rolesAfter = await server.query<{ rolname: string }>(
      'SELECT rolname FROM pg_roles ORDER BY 1',
    );
    expect(rolesAfter.map((row) => row.rolname).filter((name) => name !== hostile)).toEqual(
      rolesBefore.map((row) => row.rolname),
    );
    const [role] = await server.query<Record<string, unknown>>(
      `SELECT r.rolcanlogin, shobj_description(r.oid, 'pg_authid') AS comment, r.rolconfig,
              has_table_privilege(r.oid, 'public."t''; DROP TABLE x; --"', 'SELECT') AS reads
         FROM pg_roles r WHERE r.rolname = $1`,
      [hostile],
    );
    expect(role).toEqual({
      rolcanlogin: true,
      comment: "'); DROP TABLE users; --",
      rolconfig: [`application_name='; SELECT 1; --`],
      reads: true,
    });
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });

  it('round-trips quotes, dots, spaces and 63-byte names in roles, schemas and tables', async () => {
    // 31 two-byte letters and one more byte: 63 bytes, the most PostgreSQL keeps.
    const longest = `${'é'.repeat(31)}x`;
    expect(Buffer.byteLength(longest)).toBe(63);
    const schema = 'Sales "EU".v2';
    const table = `it's a "table"`;
    await server.query(
      `CREATE SCHEMA ${quoteIdentForTest(schema)}; CREATE TABLE ${quoteIdentForTest(schema)}.${quoteIdentForTest(table)} (id int)`,
    );
    const file = await configFile(
      dir,
      `version: 1
roles:
  'Team "Ops"':
    description: 'group with "quotes"'
  ${longest}:
    member_of: ['Team "Ops"']
    grants:
      - privileges: [USAGE]
        object_type: schema
        objects: ['"Sales ""EU"".v2"']
      - privileges: [SELECT, UPDATE]
        object_type: table
        objects: ['"Sales ""EU"".v2"."it''s a ""table"""']
`,
    );
    const args = ['-c', file, '--db', server.url()];
    const applied = await runCli(['apply', '--yes', ...args]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const [row] = await server.query<Record<string, boolean>>(
      `SELECT pg_has_role($1, 'Team "Ops"', 'MEMBER') AS member,
              has_schema_privilege($1, $2, 'USAGE') AS usage,
              has_table_privilege($1, $3, 'UPDATE') AS updates`,
      [longest, schema, `${quoteIdentForTest(schema)}.${quoteIdentForTest(table)}`],
    );
    expect(row).toEqual({ member: true, usage: true, updates: true });
    expect((await runCli(['plan', '--detailed-exitcode', ...args])).exitCode).toBe(0);
  });
});

describe('files that are not regular files', () => {
  it('refuses -c /dev/zero and a FIFO at once, exit 1; a password file on /dev/zero is never read', async () => {
    const dir = await tempDir('special-files');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const password = await configFile(
      dir,
      'version: 1\nroles:\n  alice:\n    login: true\n    password: { file: /dev/zero }\n',
    );
    const outcomes = async (file: string, commands: string[][]) => {
      const seen = [];
      for (const command of commands) {
        const result = await runCli([...command, '-c', file, '--db', server.url()]);
        seen.push({ command, exitCode: result.exitCode, first: firstLine(result.stderr) });
      }
      return seen;
    };
    const every = [['validate'], ['plan'], ['apply', '--yes']];
    for (const [file, headline] of [
      ['/dev/zero', 'error: cannot read config file "/dev/zero": it is a character device'],
      [fifo, `error: cannot read config file "${fifo}": it is a named pipe (FIFO)`],
    ] as const) {
      expect(await outcomes(file, every)).toEqual(
        every.map((command) => ({
          command,
          exitCode: 1,
          first: expect.stringContaining(headline) as unknown,
        })),
      );
    }
    // Reading needs no secret (spec §10): validate and plan note the password they could not
    // check; apply needs it, and says where it is, without reading a byte of /dev/zero.
    const note =
      'password of role "alice" not checked: password file "/dev/zero" cannot be read (it is a character device, not a regular file)';
    expect(await outcomes(password, every)).toEqual([
      { command: ['validate'], exitCode: 0, first: note },
      { command: ['plan'], exitCode: 0, first: note },
      {
        command: ['apply', '--yes'],
        exitCode: 1,
        first: expect.stringContaining(
          `error: ${password}:5:23: cannot read password file "/dev/zero"`,
        ) as unknown,
      },
    ]);
  });
});

describe('names given on the command line', () => {
  it('login create and --suffix refuse what the config refuses: control characters, 64 bytes, reserved names', async () => {
    const dir = await tempDir('cli-names');
    const config = await configFile(dir, 'version: 1\nroles:\n  app: {}\n');
    const before = await catalogSnapshot(server, [server.database]);
    const cases: [string[], string][] = [
      [['login', 'create', 'evil\nname'], 'role name "evil\\nname" contains a control character'],
      [['login', 'create', 'evil\u001b[2J'], 'contains a control character'],
      [['login', 'create', 'x'.repeat(64)], 'is 64 bytes long'],
      [['login', 'create', 'public'], 'role name "public" is reserved'],
      [['login', 'create', 'pg_evil'], 'starts with "pg_"'],
      [['plan', '-c', config, '--suffix', 'a\nb'], '--suffix "a\\nb" contains a control character'],
      [['apply', '--yes', '-c', config, '--suffix', 'x\u0007'], 'contains a control character'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--db', server.url()]);
      expect({ args, exitCode: result.exitCode, first: firstLine(result.stderr) }).toEqual({
        args,
        exitCode: 1,
        first: expect.stringContaining(message) as unknown,
      });
    }
    expect(await catalogSnapshot(server, [server.database])).toBe(before);
  });
});
