-- Per database: sequences linked to a table column, serial (pg_depend deptype 'a', auto) or
-- identity ('i', internal). Their owner follows the table's: ALTER TABLE ... OWNER TO moves
-- them, and ALTER SEQUENCE ... OWNER TO on one alone is refused ("Sequence is linked to table").
--
-- $1: the system schemas (SYSTEM_SCHEMAS of model/privileges.ts), never managed.
SELECT sn.nspname::text AS sequence_schema, s.relname::text AS sequence_name,
       tn.nspname::text AS table_schema, t.relname::text AS table_name
FROM pg_catalog.pg_class AS s
JOIN pg_catalog.pg_namespace AS sn ON sn.oid = s.relnamespace
-- Each sequence's dependencies looked up through pg_depend's (classid, objid) index (OFFSET 0
-- keeps the planner from hashing the whole of pg_depend instead: twice as slow at 40,000
-- tables).
CROSS JOIN LATERAL (
  SELECT d.refobjid
  FROM pg_catalog.pg_depend AS d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.oid
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
  OFFSET 0
) AS d
JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid
JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
WHERE s.relkind = 'S'
  AND sn.nspname <> ALL ($1::text[])
  AND sn.nspname !~ '^pg_(toast_)?temp_'
ORDER BY sn.nspname COLLATE "C", s.relname COLLATE "C";
