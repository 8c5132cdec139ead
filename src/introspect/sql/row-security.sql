-- Per database: row-level security of tables and their policies (spec §9 `tables`).
--
-- $1: the system schemas (SYSTEM_SCHEMAS of model/privileges.ts), never managed.
-- One row per table that has row security on or at least one policy; `policies` as JSON:
-- polcmd '*' all, r select, a insert, w update, d delete; polroles {0} is PUBLIC (NULL in
-- the list); the expressions as PostgreSQL stores them, deparsed by pg_get_expr, which is
-- what a config's text is compared with.
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       c.relrowsecurity AS enabled,
       c.relforcerowsecurity AS forced,
       coalesce((
         SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                  'name', p.polname::text,
                  'command', p.polcmd::text,
                  'permissive', p.polpermissive,
                  'roles', ARRAY(
                    SELECT CASE WHEN r.oid <> 0 THEN pg_catalog.pg_get_userbyid(r.oid)::text END
                    FROM pg_catalog.unnest(p.polroles) AS r(oid)),
                  'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                  'with_check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
                ORDER BY p.polname COLLATE "C")
         FROM pg_catalog.pg_policy AS p
         WHERE p.polrelid = c.oid
       ), '[]') AS policies
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname <> ALL ($1::text[])
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND (c.relrowsecurity OR c.relforcerowsecurity
       -- IN, not EXISTS: one hashed pass over pg_policy instead of a lookup per relation.
       OR c.oid IN (SELECT p.polrelid FROM pg_catalog.pg_policy AS p))
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C";
