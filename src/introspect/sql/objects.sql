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
-- beyond the default. Such an object is listed only if its ACL differs from its initial one,
-- a column of it has an ACL, or $3 names it ('schema.name': the objects the config's grants
-- name, so one can be granted before anything is): the ~3,600 system relations and routines
-- would otherwise be read, with their columns, on every plan.
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
catalog_object AS (
  -- Databases are cluster-wide (pg_database is shared): all of them, from any database.
  SELECT 'database' AS kind, NULL::text AS schema, d.datname::text AS name, NULL::text AS args,
         d.datdba AS owner, d.datacl AS acl, 'd'::"char" AS acl_kind,
         NULL::text AS relkind, NULL::oid AS relid,
         false AS system, NULL::oid AS classid, NULL::oid AS objid
  FROM pg_catalog.pg_database AS d
  UNION ALL
  SELECT 'schema', NULL, s.name, NULL, s.nspowner, s.nspacl, 'n', NULL, NULL, false, NULL, NULL
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
         false, NULL, NULL
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
         true, 'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid
  FROM pg_catalog.pg_class AS c
  JOIN system_schema AS s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
    AND (c.relacl IS DISTINCT FROM (
           SELECT i.initprivs FROM pg_catalog.pg_init_privs AS i
           WHERE i.objoid = c.oid AND i.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
             AND i.objsubid = 0)
         OR EXISTS (SELECT FROM pg_catalog.pg_attribute AS att
                    WHERE att.attrelid = c.oid AND att.attacl IS NOT NULL)
         OR s.name || '.' || c.relname = ANY ($3::text[]))
  UNION ALL
  -- prokind: f function, a aggregate, w window function (all GRANT ... ON FUNCTION), p
  -- procedure. The argument list is the input types as the server formats them, which is
  -- also how GRANT identifies the routine.
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.proacl,
         'f', NULL, NULL, false, NULL, NULL
  FROM pg_catalog.pg_proc AS p
  JOIN managed_schema AS s ON s.oid = p.pronamespace
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.proacl,
         'f', NULL, NULL, true, 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid
  FROM pg_catalog.pg_proc AS p
  JOIN system_schema AS s ON s.oid = p.pronamespace
  WHERE p.proacl IS DISTINCT FROM (
          SELECT i.initprivs FROM pg_catalog.pg_init_privs AS i
          WHERE i.objoid = p.oid AND i.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
            AND i.objsubid = 0)
     OR s.name || '.' || p.proname = ANY ($3::text[])
  UNION ALL
  -- typtype: b base, c composite, d domain, e enum, m multirange (14+), r range; p pseudo
  -- types only exist in pg_catalog. Left out: the row type every table, view and sequence
  -- gets (typrelid pointing at a relation that is not a CREATE TYPE ... AS composite, relkind
  -- 'c'), and array types (whose element type points back at them through typarray), which
  -- follow their element type's ACL and cannot be granted on separately.
  SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END,
         s.name, t.typname::text, NULL, t.typowner, t.typacl, 'T', NULL, NULL, false, NULL, NULL
  FROM pg_catalog.pg_type AS t
  JOIN managed_schema AS s ON s.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class AS rowtype_of ON rowtype_of.oid = t.typrelid
  WHERE t.typtype IN ('b', 'c', 'd', 'e', 'm', 'r')
    AND (t.typrelid = 0 OR rowtype_of.relkind = 'c')
    AND NOT EXISTS (
      SELECT FROM pg_catalog.pg_type AS element
      WHERE element.oid = t.typelem AND element.typarray = t.oid
    )
  UNION ALL
  -- Untrusted languages (internal, c, plpython3u, ...) are left out: only superusers may use
  -- them and GRANT/REVOKE on them is an error.
  SELECT 'language', NULL, l.lanname::text, NULL, l.lanowner, l.lanacl, 'l', NULL, NULL,
         false, NULL, NULL
  FROM pg_catalog.pg_language AS l
  WHERE l.lanpltrusted
  UNION ALL
  SELECT 'foreign_data_wrapper', NULL, w.fdwname::text, NULL, w.fdwowner, w.fdwacl, 'F', NULL, NULL,
         false, NULL, NULL
  FROM pg_catalog.pg_foreign_data_wrapper AS w
  UNION ALL
  SELECT 'foreign_server', NULL, fs.srvname::text, NULL, fs.srvowner, fs.srvacl, 'S', NULL, NULL,
         false, NULL, NULL
  FROM pg_catalog.pg_foreign_server AS fs
  UNION ALL
  -- Tablespaces are cluster-wide, like databases.
  SELECT 'tablespace', NULL, ts.spcname::text, NULL, ts.spcowner, ts.spcacl, 't', NULL, NULL,
         false, NULL, NULL
  FROM pg_catalog.pg_tablespace AS ts
  UNION ALL
  -- Large objects have no name: their OID is it. pg_largeobject_metadata (unlike
  -- pg_largeobject) is readable by everyone.
  SELECT 'large_object', NULL, lo.oid::text, NULL, lo.lomowner, lo.lomacl, 'L', NULL, NULL,
         false, NULL, NULL
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
       -- dropped column stays in pg_attribute as "........pg.dropped.N........".
       CASE WHEN o.relid IS NOT NULL THEN ARRAY(
         SELECT att.attname::text
         FROM pg_catalog.pg_attribute AS att
         WHERE att.attrelid = o.relid AND att.attnum > 0 AND NOT att.attisdropped
         ORDER BY att.attnum
       ) END AS columns,
       -- The ACL's entries as text (`grantee=privileges/grantor`), exploded by aclitem.ts:
       -- a tenth of the bytes of aclexplode with role names, and little work here. A system
       -- object's NULL ACL is its default, nothing beyond it: no entries.
       CASE WHEN o.system THEN o.acl::text[]
            ELSE coalesce(o.acl, pg_catalog.acldefault(o.acl_kind, o.owner))::text[] END AS acl,
       -- A system object's initial ACL (pg_init_privs), as text too: PostgreSQL's initial
       -- privileges are not pgward's to manage, and objects.ts drops the entries of `acl`
       -- found here (same grantee, privilege and grant option), as aclexplode would match them.
       CASE WHEN o.system THEN (
         SELECT i.initprivs::text[] FROM pg_catalog.pg_init_privs AS i
         WHERE i.objoid = o.objid AND i.classoid = o.classid AND i.objsubid = 0
       ) END AS initprivs,
       -- [column, grantee (NULL for PUBLIC), privilege, grantable, grantor] for each column ACL entry.
       coalesce((
         SELECT pg_catalog.json_agg(pg_catalog.json_build_array(
                  att.attname, CASE WHEN a.grantee <> 0 THEN pg_catalog.pg_get_userbyid(a.grantee) END,
                  a.privilege_type, a.is_grantable, pg_catalog.pg_get_userbyid(a.grantor)))
         FROM pg_catalog.pg_attribute AS att
         CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) AS a
         WHERE att.attrelid = o.relid AND att.attnum > 0 AND NOT att.attisdropped
           AND att.attacl IS NOT NULL
           -- pg_init_privs.objsubid is the column's attnum.
           AND NOT (o.system AND EXISTS (
             SELECT FROM pg_catalog.pg_init_privs AS i
             CROSS JOIN LATERAL pg_catalog.aclexplode(i.initprivs) AS initial
             WHERE i.objoid = o.objid AND i.classoid = o.classid AND i.objsubid = att.attnum
               AND initial.grantee = a.grantee AND initial.privilege_type = a.privilege_type
               AND initial.is_grantable = a.is_grantable
           ))
       ), '[]') AS column_privileges
-- No ORDER BY: readObjects sorts the rows (with parameters.sql's) anyway, and on a large
-- catalog the server's sort of these wide rows spills to disk.
FROM catalog_object AS o;
