// The benchmark's workload: a large catalog built with set-based SQL, and the pgward config
// that describes it. Shared by plan-apply.mjs and by anyone profiling one stage on its own:
//
//   const workload = benchWorkload({ tables: 5000, roles: 550, schemas: 50 });
//   for (const batch of workload.catalogBatches()) await client.query(batch);
//   await writeFile('pgward.yaml', workload.configYaml({ withNewRoles: false }));

export const PASSWORD = 'bench-password';
/** The environment `loadConfig` reads the users' `{ env: PGWARD_BENCH_PASSWORD }` from. */
export const ENV = { PGWARD_BENCH_PASSWORD: PASSWORD };
export const OWNER = 'bench_owner';
/** Roles of the big change (`configYaml({ withNewRoles: true })`). */
export const NEW_GROUP = 'bench_new_group';
export const NEW_USER = 'bench_new_user';
/** One view and one sequence per this many tables. */
const EXTRA_EVERY = 10;

/**
 * Names, SQL and config for a catalog of `tables` tables in `schemas` schemas, and `roles`
 * roles: `roles / 11` groups, the rest login users, each in one group.
 */
export function benchWorkload({ tables: TABLES, roles: ROLES, schemas: SCHEMAS }) {
  const GROUPS = Math.max(1, Math.round(ROLES / 11));
  const USERS = ROLES - GROUPS;
  if (USERS < 1) throw new Error('the workload needs at least 2 roles (groups and users)');

  // ---------------------------------------------------------------------------------------------
  // Names, shared by the catalog SQL and the config: s00, t0000, v0000, q0000, g00, u000.

  const width = (count) => Math.max(2, String(count - 1).length);
  const pad = (n, count) => String(n).padStart(width(count), '0');
  const schemaName = (s) => `s${pad(s, SCHEMAS)}`;
  const tableName = (t) => `t${pad(t, TABLES)}`;
  const groupName = (g) => `g${pad(g, GROUPS)}`;
  const userName = (u) => `u${pad(u, USERS)}`;
  /** Table t lives in schema t % SCHEMAS. */
  const tableRef = (t) => `${schemaName(t % SCHEMAS)}.${tableName(t)}`;
  /** The same names in SQL, for set-based statements over generate_series. */
  const sqlName = (prefix, expr, count) =>
    `'${prefix}' || lpad((${expr})::text, ${width(count)}, '0')`;

  /** Group g reads the schemas s with s % GROUPS = g and writes those with (s + 1) % GROUPS = g. */
  const readerOf = (s) => s % GROUPS;
  const writerOf = (s) => (s + 1) % GROUPS;

  /** Users with direct grants on two tables, column grants, a password, a search_path. */
  const hasTableGrants = (u) => u % 5 === 0;
  const hasColumnGrants = (u) => u % 10 === 3;
  const hasPassword = (u) => u % 10 === 0;
  const hasSearchPath = (u) => u % 20 === 7;
  const grantedTables = (u) => [(u * 7) % TABLES, (u * 7 + 1) % TABLES];
  const columnTable = (u) => (u * 13 + 5) % TABLES;

  // ---------------------------------------------------------------------------------------------
  // The catalog, built set-based: each kind of thing is one statement (a DO block looping over
  // generate_series), so setup costs a handful of round trips, not thousands.

  const run = (select) =>
    `DO $$ DECLARE stmt text; BEGIN FOR stmt IN ${select} LOOP EXECUTE stmt; END LOOP; END $$`;

  /** The objects alone (owner, schemas, tables, views, sequences): no roles, no grants. */
  function objectBatches() {
    const S = SCHEMAS;
    const T = TABLES;
    const schema = (expr) => sqlName('s', expr, S);
    const batches = [
      [`CREATE ROLE ${OWNER} NOLOGIN`],
      [
        run(
          `SELECT format('CREATE SCHEMA %I AUTHORIZATION ${OWNER}', ${schema('s')}) FROM generate_series(0, ${S - 1}) s`,
        ),
      ],
    ];
    // Each CREATE holds a lock until commit; batches of 1,000 objects stay well inside the
    // default lock table (max_locks_per_transaction 64 × max_connections 100).
    for (let from = 0; from < T; from += 1000) {
      const to = Math.min(T, from + 1000) - 1;
      batches.push([
        `SET ROLE ${OWNER}`,
        run(
          `SELECT format('CREATE TABLE %I.%I (id bigint NOT NULL, name text, email text, created_at timestamptz)', ${schema(`t % ${S}`)}, ${sqlName('t', 't', T)}) FROM generate_series(${from}, ${to}) t`,
        ),
        run(
          `SELECT format('CREATE VIEW %I.%I AS SELECT id, name FROM %I.%I', ${schema(`t % ${S}`)}, ${sqlName('v', 't', T)}, ${schema(`t % ${S}`)}, ${sqlName('t', 't', T)}) FROM generate_series(${from}, ${to}) t WHERE t % ${EXTRA_EVERY} = 0`,
        ),
        run(
          `SELECT format('CREATE SEQUENCE %I.%I', ${schema(`t % ${S}`)}, ${sqlName('q', 't', T)}) FROM generate_series(${from}, ${to}) t WHERE t % ${EXTRA_EVERY} = 0`,
        ),
        'RESET ROLE',
      ]);
    }
    return batches;
  }

  function catalogBatches() {
    const S = SCHEMAS;
    const T = TABLES;
    const G = GROUPS;
    const U = USERS;
    const schema = (expr) => sqlName('s', expr, S);
    const batches = objectBatches();
    const group = (expr) => sqlName('g', expr, G);
    const user = (expr) => sqlName('u', expr, U);
    const table = (expr) => `${schema(`(${expr}) % ${S}`)}, ${sqlName('t', expr, T)}`;
    batches.push([
      run(
        `SELECT format('CREATE ROLE %I NOLOGIN', ${group('g')}) FROM generate_series(0, ${G - 1}) g`,
      ),
      run(
        `SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', ${user('u')}, ${group(`u % ${G}`)}) FROM generate_series(0, ${U - 1}) u`,
      ),
      run(
        `SELECT format('ALTER ROLE %I PASSWORD %L', ${user('u')}, '${PASSWORD}') FROM generate_series(0, ${U - 1}) u WHERE u % 10 = 0`,
      ),
      run(
        `SELECT format('ALTER ROLE %I SET search_path = %I, public', ${user('u')}, ${schema(`u % ${S}`)}) FROM generate_series(0, ${U - 1}) u WHERE u % 20 = 7`,
      ),
      // Group permissions: the read and write profiles on whole schemas, existing and future objects.
      run(
        `SELECT unnest(ARRAY[
           format('GRANT USAGE ON SCHEMA %I TO %I, %I', ${schema('s')}, ${group(`s % ${G}`)}, ${group(`(s + 1) % ${G}`)}),
           format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', ${schema('s')}, ${group(`s % ${G}`)}),
           format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', ${schema('s')}, ${group(`s % ${G}`)}),
           format('GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', ${schema('s')}, ${group(`(s + 1) % ${G}`)}),
           format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', ${schema('s')}, ${group(`(s + 1) % ${G}`)}),
           format('ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA %I GRANT SELECT ON TABLES TO %I', ${schema('s')}, ${group(`s % ${G}`)}),
           format('ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', ${schema('s')}, ${group(`s % ${G}`)}),
           format('ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA %I GRANT INSERT, UPDATE, DELETE ON TABLES TO %I', ${schema('s')}, ${group(`(s + 1) % ${G}`)}),
           format('ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', ${schema('s')}, ${group(`(s + 1) % ${G}`)})
         ]) FROM generate_series(0, ${S - 1}) s`,
      ),
      // Direct grants of single tables and of columns to some users.
      run(
        `SELECT format('GRANT SELECT ON %I.%I, %I.%I TO %I', ${table(`u * 7 % ${T}`)}, ${table(`(u * 7 + 1) % ${T}`)}, ${user('u')}) FROM generate_series(0, ${U - 1}) u WHERE u % 5 = 0`,
      ),
      run(
        `SELECT format('GRANT SELECT (name, email), UPDATE (name) ON %I.%I TO %I', ${table(`(u * 13 + 5) % ${T}`)}, ${user('u')}) FROM generate_series(0, ${U - 1}) u WHERE u % 10 = 3`,
      ),
    ]);
    // One round trip per batch; the statements of a batch run in one implicit transaction.
    return batches.map((statements) => statements.join(';\n'));
  }

  /**
   * The config's roles, memberships and privileges as plain SQL on the objects of
   * objectBatches(): one statement per element, written by hand as an administrator would
   * (`ON ALL TABLES IN SCHEMA`, one ALTER DEFAULT PRIVILEGES per schema, role and object type).
   * The "sql" baseline of compare.mjs runs them one per round trip; pgward's apply must reach
   * the same ACLs and memberships.
   */
  function targetStatements() {
    const statements = [];
    for (let g = 0; g < GROUPS; g += 1) statements.push(`CREATE ROLE ${groupName(g)} NOLOGIN`);
    for (let u = 0; u < USERS; u += 1) {
      const user = userName(u);
      statements.push(`CREATE ROLE ${user} LOGIN`, `GRANT ${groupName(u % GROUPS)} TO ${user}`);
      if (hasPassword(u)) statements.push(`ALTER ROLE ${user} PASSWORD '${PASSWORD}'`);
      if (hasSearchPath(u))
        statements.push(`ALTER ROLE ${user} SET search_path = ${schemaName(u % SCHEMAS)}, public`);
    }
    for (let s = 0; s < SCHEMAS; s += 1) {
      const schema = schemaName(s);
      const reader = groupName(readerOf(s));
      const writer = groupName(writerOf(s));
      const forOwner = `ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA ${schema} GRANT`;
      statements.push(
        `GRANT USAGE ON SCHEMA ${schema} TO ${reader === writer ? reader : `${reader}, ${writer}`}`,
        `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${reader}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${reader}`,
        `GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${writer}`,
        `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${writer}`,
        `${forOwner} SELECT ON TABLES TO ${reader}`,
        `${forOwner} USAGE, SELECT ON SEQUENCES TO ${reader}`,
        `${forOwner} INSERT, UPDATE, DELETE ON TABLES TO ${writer}`,
        `${forOwner} USAGE, SELECT, UPDATE ON SEQUENCES TO ${writer}`,
      );
    }
    for (let u = 0; u < USERS; u += 1) {
      if (hasTableGrants(u))
        statements.push(
          `GRANT SELECT ON ${grantedTables(u).map(tableRef).join(', ')} TO ${userName(u)}`,
        );
      if (hasColumnGrants(u))
        statements.push(
          `GRANT SELECT (name, email), UPDATE (name) ON ${tableRef(columnTable(u))} TO ${userName(u)}`,
        );
    }
    return statements;
  }

  /** Every role targetStatements() creates. */
  function roleNames() {
    const names = [];
    for (let g = 0; g < GROUPS; g += 1) names.push(groupName(g));
    for (let u = 0; u < USERS; u += 1) names.push(userName(u));
    return names;
  }

  // ---------------------------------------------------------------------------------------------
  // The config that describes that catalog, generated as YAML.

  function schemasWhere(predicate) {
    const names = [];
    for (let s = 0; s < SCHEMAS; s += 1) if (predicate(s)) names.push(schemaName(s));
    return names;
  }

  function configYaml({ withNewRoles }) {
    const lines = ['version: 1', 'roles:'];
    for (let g = 0; g < GROUPS; g += 1) {
      const reads = schemasWhere((s) => readerOf(s) === g);
      const writes = schemasWhere((s) => writerOf(s) === g);
      lines.push(`  ${groupName(g)}:`);
      const permissions = [];
      if (reads.length > 0)
        permissions.push(`      - { type: read, schemas: [${reads.join(', ')}] }`);
      if (writes.length > 0)
        permissions.push(`      - { type: write, schemas: [${writes.join(', ')}] }`);
      if (permissions.length > 0) lines.push('    permissions:', ...permissions);
      else lines.push('    login: false');
    }
    for (let u = 0; u < USERS; u += 1) {
      lines.push(
        `  ${userName(u)}:`,
        '    login: true',
        `    member_of: [${groupName(u % GROUPS)}]`,
      );
      if (hasPassword(u)) lines.push('    password: { env: PGWARD_BENCH_PASSWORD }');
      if (hasSearchPath(u))
        lines.push(`    config: { search_path: '${schemaName(u % SCHEMAS)}, public' }`);
      const grants = [];
      if (hasTableGrants(u)) {
        const objects = grantedTables(u).map(tableRef).join(', ');
        grants.push(`      - { privileges: [SELECT], object_type: table, objects: [${objects}] }`);
      }
      if (hasColumnGrants(u)) {
        const object = tableRef(columnTable(u));
        grants.push(
          `      - { privileges: [SELECT], object_type: table, objects: [${object}], columns: [name, email] }`,
          `      - { privileges: [UPDATE], object_type: table, objects: [${object}], columns: [name] }`,
        );
      }
      if (grants.length > 0) lines.push('    grants:', ...grants);
    }
    if (withNewRoles) {
      // The big change: a new group that reads every schema (every table), and a login in it.
      lines.push(
        `  ${NEW_GROUP}:`,
        '    description: Reads everything',
        `    permissions:`,
        `      - { type: read, schemas: [${schemasWhere(() => true).join(', ')}] }`,
        `  ${NEW_USER}:`,
        '    login: true',
        `    member_of: [${NEW_GROUP}]`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  return {
    groups: GROUPS,
    users: USERS,
    /** One round trip each, like catalogBatches(). */
    objectBatches: () => objectBatches().map((statements) => statements.join(';\n')),
    catalogBatches,
    targetStatements,
    roleNames,
    configYaml,
  };
}
