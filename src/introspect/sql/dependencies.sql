-- What each role owns or is named in, per database, from pg_shdepend (a shared catalog, so
-- this covers every database of the cluster from the connected one). Dropping a role fails
-- while any of these remain, so the planner needs them to drop roles safely.
--
-- dbid 0 marks shared objects (databases, tablespaces, ...): database NULL.
-- deptype: o owner, a ACL entry, r named in a row-level security policy, i initial
-- privileges of an extension object (pg_init_privs, recorded from PostgreSQL 17).
-- 'p' (pinned, before 15) is not a dependency on a droppable role and is left out; 't'
-- rows reference tablespaces, not roles.
-- Predefined pg_* roles cannot be dropped; their rows are skipped.
-- Wrapped so that ORDER BY can name the output columns with a collation.
SELECT *
FROM (
  SELECT r.rolname::text AS role,
         db.datname::text AS database,
         s.deptype::text AS type,
         pg_catalog.count(*)::int AS count
  FROM pg_catalog.pg_shdepend AS s
  JOIN pg_catalog.pg_roles AS r ON r.oid = s.refobjid
  LEFT JOIN pg_catalog.pg_database AS db ON db.oid = s.dbid
  WHERE s.refclassid = 'pg_catalog.pg_authid'::regclass
    AND s.deptype IN ('o', 'a', 'r', 'i')
    AND r.rolname !~ '^pg_'
  GROUP BY 1, 2, 3
) AS fact
ORDER BY role COLLATE "C", database COLLATE "C" NULLS FIRST, type COLLATE "C";
