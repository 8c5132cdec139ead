import { describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/model/objects.js';
import type { Privilege } from '../../src/model/privileges.js';
import { DEFAULT_ROLE_ATTRIBUTES } from '../../src/model/state.js';
import type { Operation } from '../../src/model/operations.js';
import { renderOperation } from '../../src/sql/render.js';

const PG14 = 140012;
const PG16 = 160004;
const PG18 = 180001;

const table = (schema: string, name: string): ObjectRef => ({ kind: 'table', schema, name });

describe('renderOperation: roles', () => {
  it('creates a role with no options when every attribute is a default', () => {
    const op: Operation = {
      type: 'create_role',
      role: 'reader',
      attributes: DEFAULT_ROLE_ATTRIBUTES,
    };
    expect(renderOperation(op, PG18)).toEqual(['CREATE ROLE "reader"']);
  });

  it('creates a role with only the options that differ from the defaults, in one order', () => {
    const op: Operation = {
      type: 'create_role',
      role: 'alice',
      attributes: {
        superuser: true,
        createdb: true,
        createrole: true,
        inherit: false,
        login: true,
        replication: true,
        bypassrls: true,
        connectionLimit: 5,
        validUntil: '2026-12-31T00:00:00.000Z',
      },
      password: { from: 'env', name: 'ALICE_PASSWORD' },
    };
    expect(renderOperation(op, PG18)).toEqual([
      `CREATE ROLE "alice" WITH LOGIN SUPERUSER CREATEDB CREATEROLE NOINHERIT REPLICATION BYPASSRLS CONNECTION LIMIT 5 VALID UNTIL '2026-12-31T00:00:00.000Z' PASSWORD (sensitive)`,
    ]);
  });

  it('sends the verifier the resolver gives, as a literal, and never the source', () => {
    const op: Operation = {
      type: 'create_role',
      role: 'alice',
      attributes: { ...DEFAULT_ROLE_ATTRIBUTES, login: true },
      password: { from: 'env', name: 'ALICE_PASSWORD' },
    };
    const verifier = 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy';
    const seen: string[] = [];
    const sql = renderOperation(op, PG18, (role) => {
      seen.push(role);
      return verifier;
    });
    expect(sql).toEqual([`CREATE ROLE "alice" WITH LOGIN PASSWORD '${verifier}'`]);
    expect(seen).toEqual(['alice']);
  });

  it('renames a role', () => {
    expect(renderOperation({ type: 'rename_role', from: 'al', to: 'alice' }, PG18)).toEqual([
      'ALTER ROLE "al" RENAME TO "alice"',
    ]);
  });

  it('alters only the changed attributes, both polarities', () => {
    const op: Operation = {
      type: 'alter_role',
      role: 'x',
      changes: { login: false, connectionLimit: 5, inherit: true, bypassrls: false },
    };
    expect(renderOperation(op, PG18)).toEqual([
      'ALTER ROLE "x" WITH NOLOGIN INHERIT NOBYPASSRLS CONNECTION LIMIT 5',
    ]);
  });

  it("sets an expiry back to none with 'infinity', since NULL cannot be set again", () => {
    const op: Operation = { type: 'alter_role', role: 'x', changes: { validUntil: null } };
    expect(renderOperation(op, PG18)).toEqual([`ALTER ROLE "x" WITH VALID UNTIL 'infinity'`]);
  });

  it('refuses an alter_role that changes nothing or a connection limit that is not an integer', () => {
    expect(() => renderOperation({ type: 'alter_role', role: 'x', changes: {} }, PG18)).toThrow(
      /changes nothing/,
    );
    expect(() =>
      renderOperation({ type: 'alter_role', role: 'x', changes: { connectionLimit: 1.5 } }, PG18),
    ).toThrow(/connection limit/);
  });

  it('sets a password: display form without secrets, the verifier with them', () => {
    const op: Operation = { type: 'set_password', role: 'alice', password: { from: 'hashed' } };
    expect(renderOperation(op, PG18)).toEqual(['ALTER ROLE "alice" PASSWORD (sensitive)']);
    expect(renderOperation(op, PG18, () => "SCRAM-SHA-256$it's")).toEqual([
      `ALTER ROLE "alice" PASSWORD 'SCRAM-SHA-256$it''s'`,
    ]);
  });

  it('comments on a role, or removes the comment', () => {
    expect(
      renderOperation({ type: 'comment_role', role: 'r', comment: "Bob's \\ role" }, PG18),
    ).toEqual([`COMMENT ON ROLE "r" IS E'Bob''s \\\\ role'`]);
    expect(renderOperation({ type: 'comment_role', role: 'r', comment: null }, PG18)).toEqual([
      'COMMENT ON ROLE "r" IS NULL',
    ]);
  });

  it('sets and resets role settings, the name as one quoted identifier', () => {
    const set = (name: string, value: string | null): string[] =>
      renderOperation({ type: 'set_role_config', role: 'alice', name, value }, PG18);
    expect(set('statement_timeout', '30s')).toEqual([
      `ALTER ROLE "alice" SET "statement_timeout" TO '30s'`,
    ]);
    expect(set('myapp.flag', 'on')).toEqual([`ALTER ROLE "alice" SET "myapp.flag" TO 'on'`]);
    expect(set('statement_timeout', null)).toEqual([
      'ALTER ROLE "alice" RESET "statement_timeout"',
    ]);
  });

  it('splits list-valued settings into one literal per element', () => {
    const set = (name: string, value: string): string[] =>
      renderOperation({ type: 'set_role_config', role: 'a', name, value }, PG18);
    expect(set('search_path', 'app, public')).toEqual([
      `ALTER ROLE "a" SET "search_path" TO 'app', 'public'`,
    ]);
    expect(set('search_path', '"$user", public, "App", "a, b", "x""y"')).toEqual([
      `ALTER ROLE "a" SET "search_path" TO '$user', 'public', 'App', 'a, b', 'x"y'`,
    ]);
    expect(set('DateStyle', 'ISO, DMY')).toEqual([
      `ALTER ROLE "a" SET "DateStyle" TO 'ISO', 'DMY'`,
    ]);
    expect(set('temp_tablespaces', 'ts1,ts2')).toEqual([
      `ALTER ROLE "a" SET "temp_tablespaces" TO 'ts1', 'ts2'`,
    ]);
    expect(set('session_preload_libraries', 'auto_explain')).toEqual([
      `ALTER ROLE "a" SET "session_preload_libraries" TO 'auto_explain'`,
    ]);
    expect(set('search_path', '')).toEqual([`ALTER ROLE "a" SET "search_path" TO ''`]);
    // Not a list: a comma is part of the value.
    expect(set('application_name', 'a, b')).toEqual([
      `ALTER ROLE "a" SET "application_name" TO 'a, b'`,
    ]);
  });

  it('reassigns, drops owned objects and drops roles', () => {
    expect(renderOperation({ type: 'reassign_owned', role: 'bob', to: 'admin' }, PG18)).toEqual([
      'REASSIGN OWNED BY "bob" TO "admin"',
    ]);
    expect(renderOperation({ type: 'drop_owned', role: 'bob' }, PG18)).toEqual([
      'DROP OWNED BY "bob"',
    ]);
    expect(renderOperation({ type: 'drop_role', role: 'bob' }, PG18)).toEqual(['DROP ROLE "bob"']);
  });
});

describe('renderOperation: memberships', () => {
  it('grants a membership before 16 with ADMIN OPTION only', () => {
    const op: Operation = { type: 'grant_membership', role: 'r', member: 'm', admin: false };
    expect(renderOperation(op, PG14)).toEqual(['GRANT "r" TO "m"']);
    expect(renderOperation({ ...op, admin: true }, PG14)).toEqual([
      'GRANT "r" TO "m" WITH ADMIN OPTION',
    ]);
  });

  it('grants a membership from 16 with the options given', () => {
    const op: Operation = { type: 'grant_membership', role: 'r', member: 'm', admin: false };
    expect(renderOperation(op, PG16)).toEqual(['GRANT "r" TO "m"']);
    expect(renderOperation({ ...op, admin: true, inherit: false, set: true }, PG16)).toEqual([
      'GRANT "r" TO "m" WITH ADMIN TRUE, INHERIT FALSE, SET TRUE',
    ]);
    expect(renderOperation({ ...op, set: false }, PG18)).toEqual([
      'GRANT "r" TO "m" WITH SET FALSE',
    ]);
  });

  it('refuses INHERIT/SET options before 16 instead of dropping them', () => {
    const op: Operation = {
      type: 'grant_membership',
      role: 'r',
      member: 'm',
      admin: false,
      inherit: false,
    };
    expect(() => renderOperation(op, PG14)).toThrow(/PostgreSQL 16/);
    expect(() =>
      renderOperation({ type: 'alter_membership', role: 'r', member: 'm', set: true }, PG14),
    ).toThrow(/PostgreSQL 16/);
  });

  it('changes the admin option before 16 with GRANT or REVOKE ADMIN OPTION FOR', () => {
    const op = { type: 'alter_membership', role: 'r', member: 'm', grantor: 'g' } as const;
    expect(renderOperation({ ...op, admin: true }, PG14)).toEqual([
      'GRANT "r" TO "m" WITH ADMIN OPTION',
    ]);
    expect(renderOperation({ ...op, admin: false }, PG14)).toEqual([
      'REVOKE ADMIN OPTION FOR "r" FROM "m"',
    ]);
  });

  it("changes options from 16 in the grantor's row: GRANT to turn on, REVOKE ... OPTION FOR to turn off", () => {
    const op = { type: 'alter_membership', role: 'r', member: 'm', grantor: 'g' } as const;
    expect(renderOperation({ ...op, inherit: false }, PG16)).toEqual([
      'REVOKE INHERIT OPTION FOR "r" FROM "m" GRANTED BY "g"',
    ]);
    expect(renderOperation({ ...op, admin: true, set: true, inherit: false }, PG16)).toEqual([
      'GRANT "r" TO "m" WITH ADMIN TRUE, SET TRUE GRANTED BY "g"',
      'REVOKE INHERIT OPTION FOR "r" FROM "m" GRANTED BY "g"',
    ]);
    expect(
      renderOperation(
        { type: 'alter_membership', role: 'r', member: 'm', admin: false, set: false },
        PG18,
      ),
    ).toEqual(['REVOKE ADMIN OPTION FOR "r" FROM "m"', 'REVOKE SET OPTION FOR "r" FROM "m"']);
    expect(() =>
      renderOperation({ type: 'alter_membership', role: 'r', member: 'm' }, PG18),
    ).toThrow(/changes nothing/);
  });

  it('revokes a membership, naming the grantor from 16 only', () => {
    const op: Operation = { type: 'revoke_membership', role: 'r', member: 'm', grantor: 'g' };
    expect(renderOperation(op, PG14)).toEqual(['REVOKE "r" FROM "m"']);
    expect(renderOperation(op, PG16)).toEqual(['REVOKE "r" FROM "m" GRANTED BY "g"']);
    expect(renderOperation({ type: 'revoke_membership', role: 'r', member: 'm' }, PG16)).toEqual([
      'REVOKE "r" FROM "m"',
    ]);
  });
});

describe('renderOperation: privileges', () => {
  it('grants privileges on several tables to several roles, privileges in canonical order', () => {
    const op: Operation = {
      type: 'grant_privileges',
      target: { scope: 'objects', kind: 'table', objects: [table('s', 'a'), table('s', 'b')] },
      privileges: ['INSERT', 'SELECT'],
      grantees: ['x', 'y'],
      withGrantOption: false,
    };
    expect(renderOperation(op, PG18)).toEqual([
      'GRANT SELECT, INSERT ON TABLE "s"."a", "s"."b" TO "x", "y"',
    ]);
    expect(renderOperation({ ...op, withGrantOption: true }, PG18)).toEqual([
      'GRANT SELECT, INSERT ON TABLE "s"."a", "s"."b" TO "x", "y" WITH GRANT OPTION',
    ]);
  });

  it('grants and revokes column privileges', () => {
    const target = { scope: 'objects', kind: 'table', objects: [table('s', 't')] } as const;
    expect(
      renderOperation(
        {
          type: 'grant_privileges',
          target,
          privileges: ['UPDATE', 'SELECT'],
          columns: ['c1', 'c2'],
          grantees: ['x'],
          withGrantOption: false,
        },
        PG18,
      ),
    ).toEqual(['GRANT SELECT ("c1", "c2"), UPDATE ("c1", "c2") ON TABLE "s"."t" TO "x"']);
    expect(
      renderOperation(
        {
          type: 'revoke_privileges',
          target,
          privileges: ['SELECT'],
          columns: ['c1'],
          grantees: ['x'],
          grantOptionOnly: false,
        },
        PG18,
      ),
    ).toEqual(['REVOKE SELECT ("c1") ON TABLE "s"."t" FROM "x"']);
  });

  it('grants on every object of a kind in a schema', () => {
    const op = (kind: 'table' | 'sequence' | 'function' | 'procedure' | 'routine'): Operation => ({
      type: 'grant_privileges',
      target: { scope: 'all_in_schema', kind, schema: 'public' },
      privileges: kind === 'table' || kind === 'sequence' ? ['SELECT'] : ['EXECUTE'],
      grantees: ['reader'],
      withGrantOption: false,
    });
    expect(renderOperation(op('table'), PG18)).toEqual([
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "reader"',
    ]);
    expect(renderOperation(op('sequence'), PG18)).toEqual([
      'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "reader"',
    ]);
    expect(renderOperation(op('function'), PG18)).toEqual([
      'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "public" TO "reader"',
    ]);
    expect(renderOperation(op('procedure'), PG18)).toEqual([
      'GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA "public" TO "reader"',
    ]);
    expect(renderOperation(op('routine'), PG18)).toEqual([
      'GRANT EXECUTE ON ALL ROUTINES IN SCHEMA "public" TO "reader"',
    ]);
  });

  it('names each object kind with its keyword', () => {
    const grant = (object: ObjectRef, privilege: Privilege): string =>
      renderOperation(
        {
          type: 'grant_privileges',
          target: { scope: 'objects', kind: object.kind, objects: [object] },
          privileges: [privilege],
          grantees: ['x'],
          withGrantOption: false,
        },
        PG18,
      )[0] ?? '';
    expect(grant({ kind: 'database', schema: null, name: 'app' }, 'CONNECT')).toBe(
      'GRANT CONNECT ON DATABASE "app" TO "x"',
    );
    expect(grant({ kind: 'schema', schema: null, name: 'app' }, 'USAGE')).toBe(
      'GRANT USAGE ON SCHEMA "app" TO "x"',
    );
    expect(grant({ kind: 'sequence', schema: 's', name: 'q' }, 'USAGE')).toBe(
      'GRANT USAGE ON SEQUENCE "s"."q" TO "x"',
    );
    expect(
      grant({ kind: 'function', schema: 'public', name: 'calc', args: 'integer, text' }, 'EXECUTE'),
    ).toBe('GRANT EXECUTE ON FUNCTION "public"."calc"(integer, text) TO "x"');
    expect(grant({ kind: 'procedure', schema: 'public', name: 'p', args: '' }, 'EXECUTE')).toBe(
      'GRANT EXECUTE ON PROCEDURE "public"."p"() TO "x"',
    );
    expect(
      grant(
        { kind: 'routine', schema: 'public', name: 'r', args: '"My Type"[], character varying' },
        'EXECUTE',
      ),
    ).toBe('GRANT EXECUTE ON ROUTINE "public"."r"("My Type"[], character varying) TO "x"');
    expect(grant({ kind: 'type', schema: 's', name: 'mood' }, 'USAGE')).toBe(
      'GRANT USAGE ON TYPE "s"."mood" TO "x"',
    );
    expect(grant({ kind: 'domain', schema: 's', name: 'email' }, 'USAGE')).toBe(
      'GRANT USAGE ON DOMAIN "s"."email" TO "x"',
    );
    expect(grant({ kind: 'language', schema: null, name: 'plpgsql' }, 'USAGE')).toBe(
      'GRANT USAGE ON LANGUAGE "plpgsql" TO "x"',
    );
    expect(
      grant({ kind: 'foreign_data_wrapper', schema: null, name: 'postgres_fdw' }, 'USAGE'),
    ).toBe('GRANT USAGE ON FOREIGN DATA WRAPPER "postgres_fdw" TO "x"');
    expect(grant({ kind: 'foreign_server', schema: null, name: 'remote' }, 'USAGE')).toBe(
      'GRANT USAGE ON FOREIGN SERVER "remote" TO "x"',
    );
    expect(grant({ kind: 'tablespace', schema: null, name: 'fast' }, 'CREATE')).toBe(
      'GRANT CREATE ON TABLESPACE "fast" TO "x"',
    );
    expect(grant({ kind: 'parameter', schema: null, name: 'work_mem' }, 'SET')).toBe(
      'GRANT SET ON PARAMETER "work_mem" TO "x"',
    );
    expect(grant({ kind: 'parameter', schema: null, name: 'myapp.flag' }, 'ALTER SYSTEM')).toBe(
      'GRANT ALTER SYSTEM ON PARAMETER "myapp.flag" TO "x"',
    );
    expect(grant({ kind: 'large_object', schema: null, name: '16384' }, 'SELECT')).toBe(
      'GRANT SELECT ON LARGE OBJECT 16384 TO "x"',
    );
  });

  it('revokes privileges, or only their grant option', () => {
    const op: Operation = {
      type: 'revoke_privileges',
      target: {
        scope: 'objects',
        kind: 'schema',
        objects: [{ kind: 'schema', schema: null, name: 'app' }],
      },
      privileges: ['CREATE', 'USAGE'],
      grantees: ['x'],
      grantOptionOnly: false,
    };
    expect(renderOperation(op, PG18)).toEqual(['REVOKE USAGE, CREATE ON SCHEMA "app" FROM "x"']);
    expect(renderOperation({ ...op, grantOptionOnly: true }, PG18)).toEqual([
      'REVOKE GRANT OPTION FOR USAGE, CREATE ON SCHEMA "app" FROM "x"',
    ]);
  });

  it('refuses what cannot be rendered safely', () => {
    const base = {
      type: 'grant_privileges',
      privileges: ['EXECUTE'],
      grantees: ['x'],
      withGrantOption: false,
    } as const;
    const routine: ObjectRef = {
      kind: 'function',
      schema: 'public',
      name: 'f',
      args: 'integer); DROP TABLE t; --',
    };
    expect(() =>
      renderOperation(
        { ...base, target: { scope: 'objects', kind: 'function', objects: [routine] } },
        PG18,
      ),
    ).toThrow(/catalog's spelling/);
    expect(() =>
      renderOperation(
        { ...base, target: { scope: 'objects', kind: 'function', objects: [] } },
        PG18,
      ),
    ).toThrow(/without objects/);
    expect(() =>
      renderOperation(
        {
          ...base,
          grantees: [],
          target: { scope: 'all_in_schema', kind: 'function', schema: 's' },
        },
        PG18,
      ),
    ).toThrow(/without grantees/);
    expect(() =>
      renderOperation(
        {
          ...base,
          privileges: ['SELECT; DROP TABLE t' as 'SELECT'],
          target: { scope: 'all_in_schema', kind: 'table', schema: 's' },
        },
        PG18,
      ),
    ).toThrow(/invalid privilege list/);
    expect(() =>
      renderOperation(
        {
          ...base,
          target: {
            scope: 'objects',
            kind: 'large_object',
            objects: [{ kind: 'large_object', schema: null, name: '1; DROP' }],
          },
        },
        PG18,
      ),
    ).toThrow(/not an OID/);
  });
});

describe('renderOperation: default privileges', () => {
  it('grants default privileges in a schema and everywhere', () => {
    const op: Operation = {
      type: 'grant_default_privileges',
      forRole: 'migrator',
      schema: 'public',
      objectType: 'table',
      privileges: ['SELECT'],
      grantees: ['reader'],
      withGrantOption: false,
    };
    expect(renderOperation(op, PG18)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "migrator" IN SCHEMA "public" GRANT SELECT ON TABLES TO "reader"',
    ]);
    expect(
      renderOperation(
        {
          ...op,
          schema: null,
          objectType: 'function',
          privileges: ['EXECUTE'],
          withGrantOption: true,
        },
        PG18,
      ),
    ).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "migrator" GRANT EXECUTE ON FUNCTIONS TO "reader" WITH GRANT OPTION',
    ]);
    expect(
      renderOperation(
        { ...op, schema: null, objectType: 'schema', privileges: ['CREATE', 'USAGE'] },
        PG18,
      ),
    ).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "migrator" GRANT USAGE, CREATE ON SCHEMAS TO "reader"',
    ]);
  });

  it('revokes default privileges, or only their grant option', () => {
    const op: Operation = {
      type: 'revoke_default_privileges',
      forRole: 'migrator',
      schema: 'app',
      objectType: 'sequence',
      privileges: ['UPDATE', 'USAGE', 'SELECT'],
      grantees: ['w'],
      grantOptionOnly: false,
    };
    expect(renderOperation(op, PG18)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "migrator" IN SCHEMA "app" REVOKE SELECT, UPDATE, USAGE ON SEQUENCES FROM "w"',
    ]);
    expect(
      renderOperation(
        { ...op, objectType: 'type', privileges: ['USAGE'], grantOptionOnly: true },
        PG18,
      ),
    ).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "migrator" IN SCHEMA "app" REVOKE GRANT OPTION FOR USAGE ON TYPES FROM "w"',
    ]);
  });
});
