-- Stored password verifiers ('SCRAM-SHA-256$...' or 'md5...', NULL when none), for password
-- drift. pg_authid is readable by superusers only: this query runs only when server.sql said
-- it can, so that a non-superuser introspects without a permission error.
SELECT oid, rolpassword AS password
FROM pg_catalog.pg_authid
ORDER BY rolname COLLATE "C";
