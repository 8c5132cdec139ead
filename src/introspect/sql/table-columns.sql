-- Column names, in attnum order, of the tables a config's column grants name (objects.sql
-- reads them only for tables with a column privilege): a grant on a column needs to know
-- that it exists and where it stands. Read after the config is loaded, only when it has
-- column grants; through the catalogs' name indexes.
--
-- $1, $2: the tables' schemas and names, pairwise. attnum <= 0 are system columns, and a
-- dropped column stays in pg_attribute as "........pg.dropped.N........".
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       pg_catalog.to_json(ARRAY(
         SELECT att.attname::text
         FROM pg_catalog.pg_attribute AS att
         WHERE att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped
         ORDER BY att.attnum
       )) AS columns
FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS t(schema, name)
JOIN pg_catalog.pg_namespace AS n ON n.nspname = t.schema
JOIN pg_catalog.pg_class AS c
  ON c.relnamespace = n.oid AND c.relname = t.name AND c.relkind IN ('r', 'v', 'm', 'f', 'p');
