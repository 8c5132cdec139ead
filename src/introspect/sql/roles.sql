-- Every role, predefined pg_* roles included, with its attributes, comment and settings.
-- The attribute columns keep their pg_roles names: roles.ts reads them through the table of
-- role attributes (src/model/role-attributes.ts), which names each one's column.
--
-- pg_roles rather than pg_authid: it is readable by everyone (it shows rolpassword as
-- '********'); stored password verifiers come from passwords.sql, run only when readable.
-- pg_roles.rolconfig is pg_db_role_setting.setconfig for setdatabase = 0, i.e. the
-- ALTER ROLE ... SET settings that apply in every database ("name=value" strings);
-- database_config is the row of the connected database (ALTER ROLE ... IN DATABASE ... SET).
-- VALID UNTIL is rendered here, in UTC, so the text does not depend on the session TimeZone:
-- `AT TIME ZONE 'UTC'` turns the timestamptz into a UTC timestamp before to_char.
-- NULL (never set) and 'infinity' both mean no expiry (PostgreSQL cannot set NULL back once
-- a date was set, only 'infinity'). '-infinity' (always expired) has no ISO form: to_char
-- gives an empty string for it, so it is passed through as the literal '-infinity'.
-- Comments on roles live in pg_shdescription (shared catalog), keyed by pg_authid's OID.
SELECT r.oid,
       r.rolname AS name,
       r.rolcanlogin,
       r.rolsuper,
       r.rolcreatedb,
       r.rolcreaterole,
       r.rolinherit,
       r.rolreplication,
       r.rolbypassrls,
       r.rolconnlimit,
       CASE
         WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN NULL
         WHEN r.rolvaliduntil = '-infinity' THEN '-infinity'
         ELSE pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       END AS rolvaliduntil,
       d.description,
       r.rolconfig AS config,
       s.setconfig AS database_config
FROM pg_catalog.pg_roles AS r
LEFT JOIN pg_catalog.pg_shdescription AS d
  ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::regclass
LEFT JOIN pg_catalog.pg_db_role_setting AS s
  ON s.setrole = r.oid
 AND s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                      WHERE datname = pg_catalog.current_database())
ORDER BY r.rolname COLLATE "C";
