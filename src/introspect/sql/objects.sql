-- Every object pgward can grant on, with its owner and its ACL already exploded.
--
-- $1: the system schemas (SYSTEM_SCHEMAS of model/privileges.ts). Objects in them, and in the
-- per-session temporary schemas pg_temp_N / pg_toast_temp_N (what isSystemSchema() also
-- excludes), are never managed, except those $2 names. Databases, tablespaces, languages, foreign data wrappers,
-- foreign servers and large objects have no schema. Parameters (pg_parameter_acl, 15+) are
-- read by parameters.sql, because that catalog does not exist on 14.
--
-- A NULL ACL means "the built-in default": acldefault(kind, owner) spells it out (the owner's
-- implicit privileges, plus PUBLIC's on databases, functions, languages and types), so that
-- the entries read are what PostgreSQL enforces. PUBLIC (an empty grantee) comes out of
-- aclitem.ts with a null grantee: it is no role, and only a saved plan's fingerprint reads its entries (a grant to PUBLIC on an
-- object the plan covers makes the plan stale).
-- An ACL holds one entry per (grantee, grantor): the same privilege granted by two grantors
-- shows twice. The grantor is kept: a role that passed a privilege on with its
-- grant option is the only one that can revoke it (a superuser's REVOKE acts as the owner). The facts come out as the ACL lists them, unsorted and not
-- merged: introspection merges and sorts them in memory, which is several times faster than
-- a GROUP BY and ORDER BY per object here.
-- Column privileges live in pg_attribute.attacl, which has no implicit default (NULL = none).
-- Extension members are kept: GRANT ... ON ALL FUNCTIONS IN SCHEMA touches them too.
--
-- $2: the system schemas whose tables, views, sequences and routines grants may name
-- (GRANTABLE_SYSTEM_SCHEMAS, spec §10). Their rows have `system` true, and of their
-- privileges only the ACL entries pg_init_privs does not hold count (initdb's and
-- extensions' own grants are PostgreSQL's, never the config's: the object ACL's initial
-- entries are dropped by objects.ts from the initprivs column, the columns' here); a NULL ACL there is nothing
-- beyond the default. Such an object is listed only if its ACL differs from its initial one
-- or a column of it has an ACL: the ~3,600 system relations and routines would otherwise be
-- read on every plan. Those a config's grants name are read apart (named-objects.sql).
--
-- Nothing here depends on the config: the query is sent before the config is loaded, and the
-- server reads while pgward parses it (introspect/index.ts).
--
-- One pass over each catalog, plus per-object subqueries on the catalogs' OID indexes (a few
-- microseconds each): one query whatever the number of objects.
WITH managed_schema AS (
  SELECT n.oid, n.nspname::text AS name, n.nspowner, n.nspacl
  FROM pg_catalog.pg_namespace AS n
  WHERE n.nspname <> ALL ($1::text[])
    AND n.nspname !~ '^pg_(toast_)?temp_'
),
system_schema AS (
  SELECT n.oid, n.nspname::text AS name
  FROM pg_catalog.pg_namespace AS n
  WHERE n.nspname = ANY ($2::text[])
),
-- The initial ACLs (pg_init_privs) of the system schemas' relations and routines, joined by
-- hash below: a correlated subquery per object scanned pg_init_privs once per routine (~3,400).
initial_acl AS (
  SELECT i.objoid, i.classoid, i.initprivs
  FROM pg_catalog.pg_init_privs AS i
  WHERE i.objsubid = 0
    AND i.classoid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
),
-- [column, grantee (NULL for PUBLIC), privilege, grantable, grantor] for each column ACL entry,
-- per relation, in one pass over the columns that have an ACL (a few hundred at most), hash
-- joined below instead of a subquery per relation. Of a system schema's relation, the entries
-- its column's initial ACL (pg_init_privs.objsubid is the column's attnum) holds are dropped.
acl_column AS MATERIALIZED (
  -- The columns with an ACL: one pass over pg_attribute (most of it has none), shared below.
  SELECT att.attrelid, att.attnum, att.attname, att.attacl, att.attisdropped,
         (SELECT c.relnamespace FROM pg_catalog.pg_class AS c WHERE c.oid = att.attrelid)
           AS relnamespace
  FROM pg_catalog.pg_attribute AS att
  WHERE att.attacl IS NOT NULL
),
column_acl AS (
  SELECT att.attrelid,
         pg_catalog.json_agg(pg_catalog.json_build_array(
           att.attname, CASE WHEN a.grantee <> 0 THEN pg_catalog.pg_get_userbyid(a.grantee) END,
           a.privilege_type, a.is_grantable, pg_catalog.pg_get_userbyid(a.grantor))
           ORDER BY att.attnum, a.n) AS privileges
  FROM acl_column AS att
  CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) WITH ORDINALITY
    AS a(grantor, grantee, privilege_type, is_grantable, n)
  WHERE att.attnum > 0 AND NOT att.attisdropped
    AND NOT (att.relnamespace IN (SELECT oid FROM system_schema) AND EXISTS (
      SELECT FROM pg_catalog.pg_init_privs AS i
      CROSS JOIN LATERAL pg_catalog.aclexplode(i.initprivs) AS initial
      WHERE i.objoid = att.attrelid AND i.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
        AND i.objsubid = att.attnum
        AND initial.grantee = a.grantee AND initial.privilege_type = a.privilege_type
        AND initial.is_grantable = a.is_grantable
    ))
  GROUP BY att.attrelid
),
managed_type AS MATERIALIZED (
  -- typtype: b base, c composite, d domain, e enum, m multirange (14+), r range; p pseudo
  -- types only exist in pg_catalog. Left out: the row type every table, view and sequence
  -- gets (typrelid pointing at a relation that is not a CREATE TYPE ... AS composite, relkind
  -- 'c'), and array types (whose element type points back at them through typarray), which
  -- follow their element type's ACL and cannot be granted on separately. One pass over
  -- pg_type, each test a hashed lookup (MATERIALIZED: joined to the schemas first, the
  -- planner walked a name index once per schema).
  SELECT t.typnamespace, t.typname, t.typtype, t.typowner, t.typacl
  FROM pg_catalog.pg_type AS t
  WHERE t.typtype IN ('b', 'c', 'd', 'e', 'm', 'r')
    AND (t.typrelid = 0 OR EXISTS (
      SELECT FROM pg_catalog.pg_class AS rowtype_of
      WHERE rowtype_of.oid = t.typrelid AND rowtype_of.relkind = 'c'
    ))
    AND (t.typelem = 0 OR NOT EXISTS (
      SELECT FROM pg_catalog.pg_type AS element
      WHERE element.oid = t.typelem AND element.typarray = t.oid
    ))
),
catalog_object AS (
  -- Databases are cluster-wide (pg_database is shared): all of them, from any database.
  SELECT 'database' AS kind, NULL::text AS schema, d.datname::text AS name, NULL::text AS args,
         d.datdba AS owner, d.datacl AS acl, 'd'::"char" AS acl_kind,
         NULL::text AS relkind, NULL::oid AS relid,
         false AS system, NULL::pg_catalog.aclitem[] AS initprivs
  FROM pg_catalog.pg_database AS d
  UNION ALL
  SELECT 'schema', NULL, s.name, NULL, s.nspowner, s.nspacl, 'n', NULL, NULL, false, NULL
  FROM managed_schema AS s
  UNION ALL
  -- Tables of every relkind (ordinary, view, materialized view, foreign, partitioned: ALL
  -- TABLES IN SCHEMA covers them all, partitions included) and sequences, whose default ACL
  -- differs ('s': USAGE, SELECT, UPDATE).
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END,
         s.name, c.relname::text, NULL, c.relowner, c.relacl,
         CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END,
         CASE WHEN c.relkind <> 'S' THEN c.relkind::text END,
         CASE WHEN c.relkind <> 'S' THEN c.oid END,
         false, NULL
  FROM pg_catalog.pg_class AS c
  JOIN managed_schema AS s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
  UNION ALL
  -- The same kinds in the system schemas of $2.
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END,
         s.name, c.relname::text, NULL, c.relowner, c.relacl,
         CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END,
         CASE WHEN c.relkind <> 'S' THEN c.relkind::text END,
         CASE WHEN c.relkind <> 'S' THEN c.oid END,
         true, i.initprivs
  FROM pg_catalog.pg_class AS c
  JOIN system_schema AS s ON s.oid = c.relnamespace
  LEFT JOIN initial_acl AS i
    ON i.objoid = c.oid AND i.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
    AND (c.relacl IS DISTINCT FROM i.initprivs
         OR EXISTS (SELECT FROM acl_column AS att WHERE att.attrelid = c.oid))
  UNION ALL
  -- prokind: f function, a aggregate, w window function (all GRANT ... ON FUNCTION), p
  -- procedure. The argument list is the input types as the server formats them, which is
  -- also how GRANT identifies the routine.
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.proacl,
         'f', NULL, NULL, false, NULL
  FROM pg_catalog.pg_proc AS p
  JOIN managed_schema AS s ON s.oid = p.pronamespace
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.proacl,
         'f', NULL, NULL, true, i.initprivs
  FROM pg_catalog.pg_proc AS p
  JOIN system_schema AS s ON s.oid = p.pronamespace
  LEFT JOIN initial_acl AS i
    ON i.objoid = p.oid AND i.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
  WHERE p.proacl IS DISTINCT FROM i.initprivs
  UNION ALL
  -- Types and domains (managed_type).
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END,
         s.name, t.typname::text, NULL, t.typowner, t.typacl, 'T', NULL, NULL, false, NULL
  FROM managed_type AS t
  JOIN managed_schema AS s ON s.oid = t.typnamespace
  UNION ALL
  -- Untrusted languages (internal, c, plpython3u, ...) are left out: only superusers may use
  -- them and GRANT/REVOKE on them is an error.
  SELECT 'language', NULL, l.lanname::text, NULL, l.lanowner, l.lanacl, 'l', NULL, NULL,
         false, NULL
  FROM pg_catalog.pg_language AS l
  WHERE l.lanpltrusted
  UNION ALL
  SELECT 'foreign_data_wrapper', NULL, w.fdwname::text, NULL, w.fdwowner, w.fdwacl, 'F', NULL, NULL,
         false, NULL
  FROM pg_catalog.pg_foreign_data_wrapper AS w
  UNION ALL
  SELECT 'foreign_server', NULL, fs.srvname::text, NULL, fs.srvowner, fs.srvacl, 'S', NULL, NULL,
         false, NULL
  FROM pg_catalog.pg_foreign_server AS fs
  UNION ALL
  -- Tablespaces are cluster-wide, like databases.
  SELECT 'tablespace', NULL, ts.spcname::text, NULL, ts.spcowner, ts.spcacl, 't', NULL, NULL,
         false, NULL
  FROM pg_catalog.pg_tablespace AS ts
  UNION ALL
  -- Large objects have no name: their OID is it. pg_largeobject_metadata (unlike
  -- pg_largeobject) is readable by everyone.
  SELECT 'large_object', NULL, lo.oid::text, NULL, lo.lomowner, lo.lomacl, 'L', NULL, NULL,
         false, NULL
  FROM pg_catalog.pg_largeobject_metadata AS lo
)
SELECT o.kind,
       o.system,
       o.schema,
       o.name,
       o.args,
       pg_catalog.pg_get_userbyid(o.owner) AS owner,
       o.relkind,
       -- Column names in attnum order: attnum <= 0 are system columns (ctid, xmin, ...), and a
       -- dropped column stays in pg_attribute as "........pg.dropped.N........". Only of the
       -- relations with a column privilege (those of the config's column grants are read by
       -- table-columns.sql): a lookup per relation was half this query's time at 40,000
       -- tables, and only column privileges need the names.
       -- Arrays go out as JSON, which the client parses natively (JSON.parse), several times
       -- faster than node-postgres' parser of array literals.
       CASE WHEN o.relid IN (SELECT att.attrelid FROM acl_column AS att) THEN pg_catalog.to_json(ARRAY(
         SELECT att.attname::text
         FROM pg_catalog.pg_attribute AS att
         WHERE att.attrelid = o.relid AND att.attnum > 0 AND NOT att.attisdropped
         ORDER BY att.attnum
       )) END AS columns,
       -- The ACL's entries as text (`grantee=privileges/grantor`), exploded by aclitem.ts:
       -- a tenth of the bytes of aclexplode with role names, and little work here. A system
       -- object's NULL ACL is its default, nothing beyond it: no entries.
       pg_catalog.to_json(CASE WHEN o.system THEN o.acl::text[]
            ELSE coalesce(o.acl, pg_catalog.acldefault(o.acl_kind, o.owner))::text[] END) AS acl,
       -- A system object's initial ACL (pg_init_privs), as text too: PostgreSQL's initial
       -- privileges are not pgward's to manage, and objects.ts drops the entries of `acl`
       -- found here (same grantee, privilege and grant option), as aclexplode would match them.
       pg_catalog.to_json(o.initprivs::text[]) AS initprivs,
       coalesce(ca.privileges, '[]') AS column_privileges
-- No ORDER BY: readObjects sorts the rows (with parameters.sql's) anyway, and on a large
-- catalog the server's sort of these wide rows spills to disk.
FROM catalog_object AS o
LEFT JOIN column_acl AS ca ON ca.attrelid = o.relid;
