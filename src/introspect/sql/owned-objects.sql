-- What a role owns in the connected database, read inside the apply transaction right before
-- DROP OWNED BY that role: DROP OWNED drops every object listed here, with its data.
--
-- The plan reassigned (REASSIGN OWNED) whatever the role owned when it was planned, so this
-- is empty unless the role created something while the apply ran: REASSIGN OWNED scans
-- pg_shdepend once, then waits for each object's lock, and an object committed during that
-- wait is not in its scan, but is in DROP OWNED's.
-- Default privileges (pg_default_acl rows) are left out: REASSIGN OWNED leaves them to
-- DROP OWNED on purpose, and dropping them drops no data. Shared objects (dbid 0: databases,
-- tablespaces, and from 16 the memberships the role granted) are never dropped by DROP OWNED.
-- Wrapped so that ORDER BY can name the output column with a collation.
SELECT *
FROM (
  SELECT pg_catalog.pg_describe_object(s.classid, s.objid, s.objsubid) AS object
  FROM pg_catalog.pg_shdepend AS s
  WHERE s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
    AND s.refobjid = (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = $1)
    AND s.deptype = 'o'
    AND s.dbid = (SELECT d.oid FROM pg_catalog.pg_database AS d
                  WHERE d.datname = pg_catalog.current_database())
    AND s.classid <> 'pg_catalog.pg_default_acl'::pg_catalog.regclass
) AS owned
ORDER BY object COLLATE "C";
