-- Roles with the attributes `listRoles` reports, one row each. `$1` = include pg_* roles.
--
-- The bootstrap superuser (OID 10, `postgres` usually) is listed like any role: it is a login
-- role people use, and pycopg's list_roles shows it too. Only the predefined pg_* roles are
-- "system" roles. `valid_until` is ISO-8601 UTC; `infinity` (what PostgreSQL keeps once an
-- expiry has been removed) means no expiry, as NULL does.
SELECT
  r.rolname AS name,
  r.rolsuper AS superuser,
  r.rolcreaterole AS createrole,
  r.rolcreatedb AS createdb,
  r.rolcanlogin AS login,
  r.rolreplication AS replication,
  r.rolconnlimit AS connection_limit,
  CASE
    WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL
    ELSE pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  END AS valid_until
FROM pg_catalog.pg_roles AS r
WHERE $1::boolean OR r.rolname !~ '^pg_'
ORDER BY r.rolname COLLATE "C"
