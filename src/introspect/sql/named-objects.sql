-- The objects of the grantable system schemas a config's grants name that objects.sql leaves
-- out: those whose ACL is still their initial one (pg_init_privs) and none of whose columns
-- has an ACL. The config names them so that one can be granted before anything is, and a
-- plan must know them to do it. Read after the config is loaded, only when it names any;
-- the rows are objects.sql's, `system` true. Their privileges are the initial ones, which
-- are PostgreSQL's, never the config's: no entries (acl NULL), as objects.ts would have
-- dropped them all.
--
-- $1: GRANTABLE_SYSTEM_SCHEMAS (spec §10); $2: the names, as 'schema.name' (routines by
-- name: every overload is read, which is harmless).
WITH system_schema AS (
  SELECT n.oid, n.nspname::text AS name
  FROM pg_catalog.pg_namespace AS n
  WHERE n.nspname = ANY ($1::text[])
),
initial_acl AS (
  SELECT i.objoid, i.classoid, i.initprivs
  FROM pg_catalog.pg_init_privs AS i
  WHERE i.objsubid = 0
    AND i.classoid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass)
),
named_object AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
         s.name AS schema, c.relname::text AS name, NULL::text AS args, c.relowner AS owner,
         CASE WHEN c.relkind <> 'S' THEN c.relkind::text END AS relkind
  FROM pg_catalog.pg_class AS c
  JOIN system_schema AS s ON s.oid = c.relnamespace
  LEFT JOIN initial_acl AS i
    ON i.objoid = c.oid AND i.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
    AND s.name || '.' || c.relname = ANY ($2::text[])
    -- What objects.sql lists: an ACL beyond the initial one, or a column ACL.
    AND c.relacl IS NOT DISTINCT FROM i.initprivs
    AND NOT EXISTS (
      SELECT FROM pg_catalog.pg_attribute AS att
      WHERE att.attrelid = c.oid AND att.attacl IS NOT NULL
    )
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes), p.proowner, NULL
  FROM pg_catalog.pg_proc AS p
  JOIN system_schema AS s ON s.oid = p.pronamespace
  LEFT JOIN initial_acl AS i
    ON i.objoid = p.oid AND i.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
  WHERE s.name || '.' || p.proname = ANY ($2::text[])
    AND p.proacl IS NOT DISTINCT FROM i.initprivs
)
SELECT o.kind,
       true AS system,
       o.schema,
       o.name,
       o.args,
       pg_catalog.pg_get_userbyid(o.owner) AS owner,
       o.relkind,
       NULL::json AS columns,
       NULL::json AS acl,
       NULL::json AS initprivs,
       '[]'::json AS column_privileges
FROM named_object AS o;
