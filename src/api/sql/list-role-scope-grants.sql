-- Privileges one role holds directly on databases (every database of the cluster: pg_database
-- is shared) and on the schemas of the connected database outside the system ones: the
-- containers that list-role-grants.sql leaves out. Same rules: a NULL ACL means the built-in
-- default (acldefault: the owner holds every privilege, so an owner's own are listed); grants
-- to PUBLIC and privileges reached through memberships are not the role's own. `$1` is the
-- role's quoted name (the regrole cast raises 42704 for a missing role).
WITH grantee AS (
  SELECT $1::regrole::oid AS oid
),
database_grants AS (
  SELECT 'database'::text AS object_type, d.datname::text AS object_name, a.privilege_type AS privilege
  FROM pg_catalog.pg_database AS d
  CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault('d'::"char", d.datdba))) AS a
  WHERE a.grantee = (SELECT oid FROM grantee)
),
schema_grants AS (
  SELECT 'schema'::text AS object_type, n.nspname::text AS object_name, a.privilege_type AS privilege
  FROM pg_catalog.pg_namespace AS n
  CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) AS a
  WHERE a.grantee = (SELECT oid FROM grantee)
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
)
SELECT object_type, object_name COLLATE "C" AS object_name, privilege
FROM (
  SELECT * FROM database_grants
  UNION
  SELECT * FROM schema_grants
) AS g
ORDER BY 1, 2, 3
