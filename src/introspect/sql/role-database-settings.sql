-- Every role's ALTER ROLE ... IN DATABASE ... SET settings in the connected database.
--
-- Cluster scope reads the roles once (roles.sql, through one connection) and this per
-- database: pg_db_role_setting is a shared catalog, but inside an apply each database's
-- transaction changes its own rows, which only that transaction sees until it commits.
-- setrole = 0 is ALTER DATABASE ... SET, not a role's.
SELECT s.setrole AS oid,
       s.setconfig AS config
FROM pg_catalog.pg_db_role_setting AS s
WHERE s.setrole <> 0
  AND s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                       WHERE datname = pg_catalog.current_database());
