import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, requirePasswords } from '../../src/config/load.js';
import type { LoadOptions } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';

/** The formatted problems a config text gives (`file:line:col: message`, one per problem). */
function problemsOf(lines: readonly string[], options: LoadOptions = { env: {} }): string[] {
  try {
    parseConfig(lines.join('\n'), 'pgward.yaml', options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('the config was accepted');
}

const role = (...body: string[]): string[] => ['version: 1', 'roles:', '  alice:', ...body];

const scratch = mkdtempSync(join(tmpdir(), 'pgward-config-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('config problems', () => {
  it('reports a YAML syntax error with its position', () => {
    expect(problemsOf(['version: 1', 'roles:', '  alice: {login: true', '  bob: {}'])).toEqual([
      'pgward.yaml:4:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  it('points at an unknown key and suggests the key meant', () => {
    expect(problemsOf(role('    logn: true'))).toEqual([
      'pgward.yaml:4:5: unknown key "logn" in role "alice" (did you mean "login"?)',
    ]);
  });

  it('lists the allowed keys when no key is close', () => {
    expect(problemsOf(['version: 1', 'settings:', '  cleanup: drop'])).toEqual([
      'pgward.yaml:3:3: unknown key "cleanup" in "settings"; expected one of unmanaged_roles, ignore_roles, reassign_owned_to, object_creators, databases',
    ]);
  });

  it('says which type was expected and what was found', () => {
    expect(
      problemsOf(role('    login: "yes"', '    connection_limit: -3', '    member_of: reader')),
    ).toEqual([
      'pgward.yaml:4:12: "login" in role "alice" must be true or false, got "yes"',
      'pgward.yaml:5:23: "connection_limit" in role "alice" must be -1 or more, got -3',
      'pgward.yaml:6:16: "member_of" in role "alice" must be a list, got "reader"',
    ]);
  });

  it('reports a key written twice at the repeat', () => {
    expect(problemsOf(role('    login: true', '    login: false'))).toEqual([
      'pgward.yaml:5:5: duplicate key "login" in role "alice"',
    ]);
  });

  it('refuses names over 63 bytes, counting bytes, not characters', () => {
    const name = 'ü'.repeat(32); // 32 characters, 64 bytes
    expect(problemsOf(['version: 1', 'roles:', `  ${name}: {}`])).toEqual([
      `pgward.yaml:3:3: role name "${name}" is 64 bytes long; PostgreSQL names are at most 63 bytes`,
    ]);
    expect(() =>
      parseConfig(`version: 1\nroles:\n  ${'ü'.repeat(31)}a: {}\n`, 'pgward.yaml'),
    ).not.toThrow();
  });

  it('shows names with control characters escaped, on one line', () => {
    const problems = problemsOf([
      'version: 1',
      'roles:',
      '  "bad\\nname": {}',
      '  "nul\\0": { member_of: ["tab\\tbed"] }',
      '  "del\\x7f": {}',
    ]);
    expect(problems).toEqual([
      'pgward.yaml:3:3: role name "bad\\nname" contains a control character, which pgward does not accept in names',
      'pgward.yaml:4:3: role name "nul\\u0000" contains a control character, which pgward does not accept in names',
      'pgward.yaml:4:26: role "tab\\tbed" contains a control character, which pgward does not accept in names (in member_of of "nul\\u0000")',
      'pgward.yaml:5:3: role name "del\\u007f" contains a control character, which pgward does not accept in names',
    ]);
    for (const problem of problems) expect(problem).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('refuses names PostgreSQL reserves', () => {
    expect(
      problemsOf(['version: 1', 'roles:', '  pg_app: {}', '  Session_User: {}', '  none: {}']),
    ).toEqual([
      'pgward.yaml:3:3: role name "pg_app" starts with "pg_", which PostgreSQL reserves for its predefined roles',
      'pgward.yaml:4:3: role name "Session_User" is reserved by PostgreSQL and cannot be declared',
      'pgward.yaml:5:3: role name "none" is reserved by PostgreSQL and cannot be declared',
    ]);
  });

  it('refuses privileges that do not apply to the object kind', () => {
    expect(
      problemsOf(
        role(
          '    grants:',
          '      - { privileges: [USAGE, delete], object_type: sequence, objects: [public.s] }',
          '      - { privileges: [SELECT, TRUNCATE], object_type: table, objects: [public.t], columns: [a] }',
          '    default_privileges:',
          '      - { for_role: m, object_type: routine, privileges: [USAGE] }',
        ),
      ),
    ).toEqual([
      'pgward.yaml:5:31: privilege "DELETE" does not apply to sequence (sequence privileges: USAGE, SELECT, UPDATE)',
      'pgward.yaml:6:32: privilege "TRUNCATE" does not apply to columns (column privileges: SELECT, INSERT, UPDATE, REFERENCES)',
      // routine is stored as function: one default ACL covers all routines.
      'pgward.yaml:8:59: privilege "USAGE" does not apply to function (function privileges: EXECUTE)',
    ]);
  });

  it('checks how objects are named and which kinds take all_in_schemas and columns', () => {
    expect(
      problemsOf(
        role(
          '    grants:',
          '      - { privileges: [SELECT], object_type: table, objects: [orders, "a.b.c", "public.f(int)"] }',
          '      - { privileges: [USAGE], object_type: type, all_in_schemas: [public] }',
          '      - { privileges: [USAGE], object_type: sequence, objects: [public.s], columns: [a] }',
          '      - { privileges: [SELECT], object_type: table }',
        ),
      ),
    ).toEqual([
      'pgward.yaml:5:63: invalid object name in grant #1 of role "alice": "orders" must be written schema.name',
      'pgward.yaml:5:71: invalid object name in grant #1 of role "alice": "a.b.c" must be written schema.name',
      'pgward.yaml:5:80: invalid object name in grant #1 of role "alice": only routines take an argument list: "public.f(int)"',
      'pgward.yaml:6:51: "all_in_schemas" cannot be used with object_type type (only table, sequence, function, procedure or routine)',
      'pgward.yaml:7:76: "columns" applies only to object_type table, not sequence',
      'pgward.yaml:8:9: grant #4 of role "alice" needs "objects" or "all_in_schemas"',
    ]);
  });

  it('reports a membership cycle among declared roles with its path', () => {
    expect(
      problemsOf([
        'version: 1',
        'roles:',
        '  a: { member_of: [b] }',
        '  b: { member_of: [outside, c] }',
        '  c: { member_of: [a] }',
        '  d: { member_of: [d] }',
      ]),
    ).toEqual([
      'pgward.yaml:5:20: membership cycle: "a" -> "b" -> "c" -> "a"',
      'pgward.yaml:6:20: role "d" cannot be a member of itself',
    ]);
  });

  it('names an environment variable that is not set, or empty', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'roles:',
          '  a: { password: { env: A_PASSWORD } }',
          '  b: { password: { env: B_PASSWORD } }',
        ],
        { env: { B_PASSWORD: '' } },
      ),
    ).toEqual([
      'pgward.yaml:3:25: environment variable "A_PASSWORD" is not set (password of role "a")',
      'pgward.yaml:4:25: environment variable "B_PASSWORD" is empty (password of role "b")',
    ]);
  });

  it('leaves such passwords unread for a read-only load; requirePasswords gives the same errors', () => {
    const text = [
      'version: 1',
      'roles:',
      '  a: { password: { env: A_PASSWORD } }',
      '  b: { password: { env: B_PASSWORD } }',
      '  c: { password: { env: C_PASSWORD } }',
    ].join('\n');
    const config = parseConfig(text, 'pgward.yaml', {
      env: { B_PASSWORD: '', C_PASSWORD: 'c-secret' },
      secrets: 'optional',
    });
    expect(config.roles.map((role) => role.password)).toEqual([
      { source: { from: 'env', name: 'A_PASSWORD' }, secret: null },
      { source: { from: 'env', name: 'B_PASSWORD' }, secret: null },
      { source: { from: 'env', name: 'C_PASSWORD' }, secret: 'c-secret' },
    ]);
    expect(config.unreadPasswords?.map((unread) => unread.note)).toEqual([
      'password of role "a" not checked: A_PASSWORD is not set',
      'password of role "b" not checked: B_PASSWORD is empty',
    ]);
    let error: unknown;
    try {
      requirePasswords(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(formatProblem)).toEqual([
      'pgward.yaml:3:25: environment variable "A_PASSWORD" is not set (password of role "a")',
      'pgward.yaml:4:25: environment variable "B_PASSWORD" is empty (password of role "b")',
    ]);
  });

  it('names a password file that cannot be read, relative to the config file', () => {
    writeFileSync(
      join(scratch, 'pgward.yaml'),
      'version: 1\nroles:\n  a:\n    password: { file: nope.txt }\n',
    );
    let error: unknown;
    try {
      loadConfig(join(scratch, 'pgward.yaml'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(formatProblem)).toEqual([
      `${join(scratch, 'pgward.yaml')}:4:23: cannot read password file "nope.txt" (password of role "a"): no such file`,
    ]);
  });

  it('refuses MD5 hashes and anything that is not a SCRAM-SHA-256 verifier', () => {
    expect(
      problemsOf([
        'version: 1',
        'roles:',
        '  a: { password: { hashed: md5a3556571e93b0d20722ba62be61e8c2d } }',
        '  b: { password: { hashed: "SCRAM-SHA-256$4096:salt" } }',
      ]),
    ).toEqual([
      'pgward.yaml:3:28: "hashed" password of role "a" is an MD5 hash; MD5 passwords are deprecated in PostgreSQL, use a SCRAM-SHA-256 verifier',
      'pgward.yaml:4:28: "hashed" password of role "b" is not a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)',
    ]);
  });

  it('never shows a password, whatever is wrong around it', () => {
    const problems = problemsOf(
      [
        'version: 1',
        'roles:',
        '  a: { password: "plain-secret-1" }',
        '  b: { password: { hashed: "plain-secret-2" } }',
        '  c: { password: { env: C_PASSWORD, hashed: "plain-secret-3" } }',
        '  d: { password: { env: D_PASSWORD }, logn: true }',
        '  e: { password: [plain-secret-5] }',
      ],
      { env: { D_PASSWORD: 'plain-secret-4' } },
    );
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).not.toMatch(/plain-secret/);
  });

  it('refuses an alias bomb quickly instead of expanding it', () => {
    const lines = ['version: 1', 'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level <= 12; level++) {
      const previous = level === 1 ? 'a' : `a${level - 1}`;
      lines.push(`x-a${level}: &a${level} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    const start = performance.now();
    expect(problemsOf(lines)).toEqual([
      'pgward.yaml:3:12: aliases expand more than 10000 times (a "billion laughs" document?); write the values out instead',
    ]);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('reports schema and semantic problems of one file together, in file order', () => {
    expect(
      problemsOf([
        'version: 2',
        'settings: { unmanaged_roles: dropp }',
        'roles:',
        '  a:',
        '    logn: true',
        '    member_of: [b]',
        '    valid_until: "2026-02-30"',
        '  b:',
        '    member_of: [a]',
        '    permissions: [{ type: reed, schemas: [public] }]',
        '    grants:',
        '      - { privileges: [SELECT], object_type: table, objects: [t], all_in_schemas: [s] }',
      ]),
    ).toEqual([
      'pgward.yaml:1:10: "version" must be 1, got 2',
      'pgward.yaml:2:30: "unmanaged_roles" in "settings" must be one of ignore, report, drop, got "dropp" (did you mean "drop"?)',
      'pgward.yaml:5:5: unknown key "logn" in role "a" (did you mean "login"?)',
      'pgward.yaml:7:18: "valid_until" in role "a" is not a valid date or timestamp: "2026-02-30"; expected a date like "2026-12-31", a timestamp like "2026-12-31 23:59:59+00", "infinity" or null',
      'pgward.yaml:9:17: membership cycle: "a" -> "b" -> "a"',
      'pgward.yaml:10:27: unknown permission type "reed" in permission #1 of role "b" (did you mean "read"?); expected one of read, write (profiles are declared in "profiles")',
      'pgward.yaml:12:63: invalid object name in grant #1 of role "b": "t" must be written schema.name',
      'pgward.yaml:12:67: grant #1 of role "b" has both "objects" and "all_in_schemas"; use one of them',
    ]);
  });

  it('refuses default privileges on schemas IN SCHEMA, and renames PostgreSQL cannot do', () => {
    expect(
      problemsOf([
        'version: 1',
        'roles:',
        '  a:',
        '    renamed_from: b',
        '    default_privileges:',
        '      - { for_role: m, schema: app, object_type: schema, privileges: [CREATE] }',
        '  b: { renamed_from: b }',
        '  c: { renamed_from: old }',
        '  d: { renamed_from: old }',
      ]),
    ).toEqual([
      'pgward.yaml:4:19: role "a" is renamed_from "b", which is declared in roles too; remove one of them',
      `pgward.yaml:6:24: "schema" cannot be set with object_type schema: PostgreSQL's default privileges on schemas apply to the whole database (IN SCHEMA cannot be used with ON SCHEMAS)`,
      'pgward.yaml:7:22: role "b" cannot be renamed from itself',
      'pgward.yaml:9:22: roles "c" and "d" are both renamed_from "old"',
    ]);
  });

  it('reports a config file that cannot be read', () => {
    expect(() => loadConfig(join(scratch, 'missing.yaml'))).toThrow(
      new ConfigError([
        { message: `cannot read config file "${join(scratch, 'missing.yaml')}": no such file` },
      ]),
    );
  });
});
