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
-- Counted by OIDs first, named after: grouping ~200,000 rows (40,000 tables) by role and
-- database names as text took twice as long as grouping their OIDs.
SELECT r.rolname::text AS role,
       db.datname::text AS database,
       s.deptype::text AS type,
       s.count
FROM (
  SELECT d.refobjid, d.dbid, d.deptype, pg_catalog.count(*)::int AS count
  FROM pg_catalog.pg_shdepend AS d
  WHERE d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
    AND d.deptype IN ('o', 'a', 'r', 'i')
  GROUP BY d.refobjid, d.dbid, d.deptype
) AS s
JOIN pg_catalog.pg_roles AS r ON r.oid = s.refobjid
LEFT JOIN pg_catalog.pg_database AS db ON db.oid = s.dbid
WHERE r.rolname !~ '^pg_'
ORDER BY r.rolname COLLATE "C", db.datname COLLATE "C" NULLS FIRST, s.deptype::text COLLATE "C";
