/**
 * `tables` (spec §9): row-level security flags and policies — the seed's pattern as a fixture
 * whose roles log in and see only their rows; expressions compared as PostgreSQL stores them
 * (no change after apply); ALTER POLICY in place, drop + create where it must; undeclared
 * policies dropped; drift for hand changes; and expressions that cannot inject.
 */
import { describe, expect, it } from 'vitest';
import { converge, FixtureDatabase, planStatements } from '../support/convergence.js';
import { connected, urlAs } from '../support/login.js';
import { useConfigFiles } from '../support/config-files.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();
const env = { RLS_OWNER_PASSWORD: 'rls-owner-secret', RLS_APP_PASSWORD: 'rls-app-secret' };

const writeConfig = useConfigFiles('pgward-rls-');

/** The items `user` sees when logged in, with app.current_user_id set to `appUser`. */
async function itemsSeen(db: FixtureDatabase, user: string, password: string, appUser: number) {
  const client = await connected(urlAs(server, user, password, db.database));
  try {
    await client.query(`SELECT set_config('app.current_user_id', $1, false)`, [String(appUser)]);
    const { rows } = await client.query<{ item: string }>(
      'SELECT item FROM shop.orders ORDER BY item',
    );
    return rows.map((row) => row.item);
  } finally {
    await client.end();
  }
}

describe('fixture row-level-security', () => {
  it('converges, each role sees its rows, and hand changes are drift that apply repairs', async () => {
    const db = await converge(server, {
      fixture: 'row-level-security',
      env,
      plan: {
        includes: [
          'ALTER TABLE "shop"."orders" ENABLE ROW LEVEL SECURITY',
          'ALTER TABLE "shop"."orders" FORCE ROW LEVEL SECURITY',
          `CREATE POLICY "orders_user_policy" ON "shop"."orders" AS PERMISSIVE FOR ALL TO "rls_app" USING (user_id = current_setting('app.current_user_id')::integer)`,
        ],
      },
      afterApply: async (db) => {
        const [flags] = await db.query<{ enabled: boolean; forced: boolean }>(
          `SELECT relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class WHERE oid = 'shop.orders'::regclass`,
        );
        expect(flags).toEqual({ enabled: true, forced: true });
        const [stored] = await db.query<{ qual: string }>(
          `SELECT pg_get_expr(polqual, polrelid) AS qual FROM pg_policy WHERE polname = 'orders_user_policy'`,
        );
        // Stored otherwise than written: the comparison must still find no change.
        expect(stored?.qual).not.toBe("user_id = current_setting('app.current_user_id')::integer");
        expect(await itemsSeen(db, 'rls_app', env.RLS_APP_PASSWORD, 1)).toEqual(['book', 'lamp']);
        expect(await itemsSeen(db, 'rls_app', env.RLS_APP_PASSWORD, 2)).toEqual(['chair']);
        // FORCE: the owner is subject to the policies, and none is for it.
        expect(await itemsSeen(db, 'rls_owner', env.RLS_OWNER_PASSWORD, 1)).toEqual([]);
        // The policy's USING is its WITH CHECK too: no row for another user.
        const client = await connected(urlAs(server, 'rls_app', env.RLS_APP_PASSWORD, db.database));
        try {
          await client.query(`SELECT set_config('app.current_user_id', '1', false)`);
          await expect(
            client.query(`INSERT INTO shop.orders (user_id, item) VALUES (2, 'stolen')`),
          ).rejects.toThrow(/row-level security/);
          await client.query(`INSERT INTO shop.orders (user_id, item) VALUES (1, 'pen')`);
        } finally {
          await client.end();
        }
      },
    });

    const expectDriftRepaired = async (change: string, summary: string): Promise<void> => {
      await db.query(change);
      const drift = await db.cli(['drift']);
      expect(drift.code, drift.stderr).toBe(2);
      expect(drift.stdout).toContain(summary);
      await db.apply();
      await db.expectConverged();
    };
    await expectDriftRepaired(
      'ALTER TABLE shop.orders NO FORCE ROW LEVEL SECURITY',
      'set row-level security of table "shop.orders" to forced',
    );
    await expectDriftRepaired(
      'ALTER POLICY orders_user_policy ON shop.orders USING (true)',
      'alter policy "orders_user_policy" on table "shop.orders" (using ',
    );
    await expectDriftRepaired(
      'ALTER POLICY orders_user_policy ON shop.orders TO PUBLIC',
      'alter policy "orders_user_policy" on table "shop.orders" (roles "rls_app")',
    );
    await expectDriftRepaired(
      'CREATE POLICY hand_made ON shop.orders FOR SELECT USING (true)',
      'drop policy "hand_made" on table "shop.orders"',
    );
    await expectDriftRepaired(
      'DROP POLICY orders_user_policy ON shop.orders',
      'create policy "orders_user_policy" on table "shop.orders"',
    );
    expect(await itemsSeen(db, 'rls_app', env.RLS_APP_PASSWORD, 2)).toEqual(['chair']);
  });
});

describe('policies', () => {
  const setUp = async (prefix: string): Promise<FixtureDatabase> => {
    const database = await server.createDatabase(prefix);
    await server.query(
      `CREATE ROLE ${prefix}_app; CREATE ROLE ${prefix}_other;
       CREATE TABLE public.notes (id int, owner_name text, body text);
       CREATE TABLE public.unlisted (id int);
       CREATE POLICY by_hand ON public.unlisted TO ${prefix}_app USING (id > 0);
       CREATE POLICY others ON public.unlisted TO ${prefix}_other USING (id > 0);`,
      [],
      database,
    );
    return new FixtureDatabase(server, 'row-level-security', database);
  };

  it('alters in place what ALTER POLICY can change and drops and creates what it cannot', async () => {
    const db = await setUp('pol');
    const first = await writeConfig(`version: 1
roles:
  pol_app: {}
tables:
  public.notes:
    row_security: enabled
    policies:
      mine:
        roles: [pol_app]
        using: "owner_name = current_user and id in (1, 2)"
        with_check: "owner_name = current_user"
`);
    const plan = await db.plan({ config: first });
    expect(planStatements(plan)).toEqual([
      // A policy naming a managed role on a table not listed is part of that role's state.
      'DROP POLICY "by_hand" ON "public"."unlisted"',
      `CREATE POLICY "mine" ON "public"."notes" AS PERMISSIVE FOR ALL TO "pol_app" USING (owner_name = current_user and id in (1, 2)) WITH CHECK (owner_name = current_user)`,
      'ALTER TABLE "public"."notes" ENABLE ROW LEVEL SECURITY',
    ]);
    expect(plan.changes.map((change) => change.kind)).toEqual([
      'drop_policy',
      'create_policy',
      'set_row_security',
    ]);
    await db.apply({ config: first });
    await db.expectConverged({ config: first });
    // The policy of a role the config does not manage stays.
    expect(
      await db.check(
        `SELECT count(*) = 1 AS ok FROM pg_policy WHERE polrelid = 'public.unlisted'::regclass`,
      ),
    ).toBe(true);

    const second = await writeConfig(`version: 1
roles:
  pol_app: {}
tables:
  public.notes:
    row_security: enabled
    policies:
      mine:
        roles: [PUBLIC]
        using: "owner_name = current_user"
        with_check: "owner_name = current_user"
`);
    expect(planStatements(await db.plan({ config: second }))).toEqual([
      `ALTER POLICY "mine" ON "public"."notes" TO PUBLIC USING (owner_name = current_user)`,
    ]);
    await db.apply({ config: second });
    await db.expectConverged({ config: second });

    const third = await writeConfig(`version: 1
roles:
  pol_app: {}
tables:
  public.notes:
    row_security: enabled
    policies:
      mine:
        command: select
        permissive: false
        using: "owner_name = current_user"
`);
    expect(planStatements(await db.plan({ config: third }))).toEqual([
      'DROP POLICY "mine" ON "public"."notes"',
      `CREATE POLICY "mine" ON "public"."notes" AS RESTRICTIVE FOR SELECT TO PUBLIC USING (owner_name = current_user)`,
    ]);
    await db.apply({ config: third });
    const [row] = await db.query<{ cmd: string; permissive: boolean }>(
      `SELECT polcmd::text AS cmd, polpermissive AS permissive FROM pg_policy WHERE polname = 'mine'`,
    );
    expect(row).toEqual({ cmd: 'r', permissive: false });
    await db.expectConverged({ config: third });
    await db.expectExportRoundTrip();
  });

  it('refuses expressions that are more than one expression, before and at plan time', async () => {
    const db = await setUp('inj');
    const hostile = await writeConfig(`version: 1
tables:
  public.notes:
    policies:
      a: { using: "true; DROP TABLE public.notes" }
      b: { using: "true) OR (true" }
      c: { using: "id = 1 -- )" }
      d: { using: "'unterminated" }
`);
    const result = await db.cli(['plan'], { config: hostile });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('contains ";"');
    expect(result.stderr).toContain('closes a parenthesis it did not open');
    expect(result.stderr).toContain('contains a comment');
    expect(result.stderr).toContain('has an unterminated string');
    // A semicolon inside a string literal is data, and the server parses the expression.
    const quoted = await writeConfig(`version: 1
tables:
  public.notes:
    policies:
      a: { using: "body <> ';DROP TABLE public.notes'" }
      b: { using: "no_such_column = 1" }
`);
    const parsed = await db.cli(['plan'], { config: quoted });
    expect(parsed.code).toBe(1);
    expect(parsed.stderr).toContain(
      'using of policy "b" on table "public.notes" is not a valid expression there: column "no_such_column" does not exist',
    );
    expect(parsed.stderr).not.toContain('policy "a"');
    expect(await db.check(`SELECT to_regclass('public.notes') IS NOT NULL AS ok`)).toBe(true);
  });
});

describe('export of owns, public and tables', () => {
  it('exports them; applied to another database it gives the same export, and applied back it is a no-op', async () => {
    const objects = `
      CREATE SCHEMA ex;
      CREATE TABLE ex.docs (id int, author text);
      CREATE FUNCTION ex.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
      CREATE FUNCTION ex.g() RETURNS int LANGUAGE sql AS 'SELECT 2';`;
    await server.query(`CREATE ROLE ex_owner; CREATE ROLE ex_reader;`);
    const source = await server.createDatabase('exsrc');
    await server.query(
      `${objects}
       ALTER SCHEMA ex OWNER TO ex_owner; ALTER TABLE ex.docs OWNER TO ex_owner;
       REVOKE EXECUTE ON FUNCTION ex.f() FROM PUBLIC;
       GRANT USAGE ON SCHEMA ex TO ex_reader; GRANT SELECT ON ex.docs TO ex_reader;
       ALTER TABLE ex.docs ENABLE ROW LEVEL SECURITY;
       CREATE POLICY own_docs ON ex.docs FOR SELECT TO ex_reader USING (author = current_user);`,
      [],
      source,
    );
    const from = new FixtureDatabase(server, 'row-level-security', source);
    const exported = await from.cli(['export'], { config: null });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(
      [
        'public:',
        '  manage: [function]',
        '  grants:',
        '    - privileges: [EXECUTE]',
        '      object_type: function',
        '      objects:',
        '        - ex.g()',
      ].join('\n'),
    );
    expect(exported.stdout).toContain(
      [
        '  ex_owner:',
        '    owns:',
        '      - object_type: schema',
        '        objects:',
        '          - ex',
      ].join('\n'),
    );
    expect(exported.stdout).toContain(
      [
        'tables:',
        '  ex.docs:',
        '    row_security: enabled',
        '    policies:',
        '      own_docs:',
        '        command: select',
        '        roles: [ex_reader]',
        '        using: (author = CURRENT_USER)',
      ].join('\n'),
    );
    const file = await writeConfig(exported.stdout);
    expect(planStatements(await from.plan({ config: file }))).toEqual([]);

    const target = await server.createDatabase('exdst');
    await server.query(objects, [], target);
    const to = new FixtureDatabase(server, 'row-level-security', target);
    await to.apply({ config: file });
    await to.expectConverged({ config: file });
    const again = await to.cli(['export'], { config: null });
    expect(again.stdout).toBe(exported.stdout);
  });
});
