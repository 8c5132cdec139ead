-- Objects role $1 owns in the connected database and shared ones (databases, tablespaces), as
-- PostgreSQL names them in its own errors (`table app.orders`), for `dropLogin`'s refusal.
-- pg_describe_object only knows the connected database's objects, hence the dbid filter.
-- LIMIT $2: the most the refusal lists (it gets the total from the dependency counts).
SELECT object
FROM (
  SELECT pg_catalog.pg_describe_object(s.classid, s.objid, s.objsubid) AS object
  FROM pg_catalog.pg_shdepend AS s
  WHERE s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
    AND s.refobjid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)
    AND s.deptype = 'o'
    AND s.dbid IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
) AS owned
ORDER BY object COLLATE "C"
LIMIT $2
