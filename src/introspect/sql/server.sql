-- Server-level facts, read first: the version decides which catalog queries run next.
--
-- current_user: after SET ROLE, privileges are checked against the current role, and that is
-- the role pgward acts as. session_user is the role that logged in (it differs when a role
-- setting, `ALTER ROLE deployer SET role = admin_grp`, or PGOPTIONS made the session SET ROLE):
-- pgward must not lock it out either, nor cut the memberships that let it become current_user.
-- The bootstrap superuser is the role with OID 10 that initdb creates; its name varies
-- (postgres, rdsadmin's owner, the OS user...), so it is looked up, never assumed.
-- pg_authid (which holds rolpassword) is readable by superusers only, unless someone granted
-- SELECT on it; has_table_privilege() tells without raising an error.
SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
       current_user AS current_user,
       session_user AS session_user,
       pg_catalog.current_database() AS current_database,
       (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10) AS bootstrap_superuser,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS current_user_is_superuser,
       pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS can_read_passwords
-- One row: nothing to order, the ORDER BY only keeps every catalog query alike.
ORDER BY 1;
