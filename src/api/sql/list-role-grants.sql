-- Privileges one role holds directly on tables (every relkind: tables, views, materialized
-- views, foreign and partitioned tables), sequences and routines, outside system schemas.
-- Set-based: one pass over each catalog with aclexplode, whatever the number of objects.
--
-- A NULL ACL means the object still has its defaults (acldefault): the owner holds every
-- privilege, so an owner's own privileges are listed, as information_schema.table_privileges
-- does. Grants to PUBLIC and privileges reached through memberships are not the role's own
-- and are not listed. `$1` is the role's quoted name (the regrole cast raises 42704 for a
-- missing role).
WITH grantee AS (
  SELECT $1::regrole::oid AS oid
),
relation_grants AS (
  SELECT n.nspname AS schema, c.relname AS object_name, a.privilege_type AS privilege
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL pg_catalog.aclexplode(
    coalesce(c.relacl, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))
  ) AS a
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
    AND a.grantee = (SELECT oid FROM grantee)
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
),
routine_grants AS (
  SELECT
    n.nspname AS schema,
    p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' AS object_name,
    a.privilege_type AS privilege
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
  CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f'::"char", p.proowner))) AS a
  WHERE a.grantee = (SELECT oid FROM grantee)
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
)
SELECT schema COLLATE "C" AS schema, object_name COLLATE "C" AS object_name, privilege
FROM (
  SELECT * FROM relation_grants
  UNION
  SELECT * FROM routine_grants
) AS g
ORDER BY 1, 2, 3
