-- The objects of pg_catalog and information_schema that a config may grant on (spec §10:
-- tables, views, sequences and routines), and the privileges roles hold on them beyond
-- PostgreSQL's initial privileges.
--
-- $1: those two schemas (GRANTABLE_SYSTEM_SCHEMAS of model/privileges.ts).
--
-- Every object is listed, so that a config can name one before anything is granted on it.
-- Privileges: only ACL entries that pg_init_privs does not hold for the object (initdb's and
-- extensions' own grants, PUBLIC's included, are PostgreSQL's, never the config's). A NULL ACL
-- is the built-in default: nothing beyond it. PUBLIC (grantee 0) is left out, as in
-- objects.sql. Rows have objects.sql's shape; introspection merges and sorts them.
WITH system_schema AS (
  SELECT n.oid, n.nspname::text AS name
  FROM pg_catalog.pg_namespace AS n
  WHERE n.nspname = ANY ($1::text[])
),
system_object AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
         s.name AS schema, c.relname::text AS name, NULL::text AS args,
         c.relowner AS owner, c.relacl AS acl,
         CASE WHEN c.relkind <> 'S' THEN c.relkind::text END AS relkind,
         CASE WHEN c.relkind <> 'S' THEN c.oid END AS relid,
         'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid
  FROM pg_catalog.pg_class AS c
  JOIN system_schema AS s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
         s.name, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes),
         p.proowner, p.proacl, NULL, NULL,
         'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
  FROM pg_catalog.pg_proc AS p
  JOIN system_schema AS s ON s.oid = p.pronamespace
)
SELECT o.kind,
       o.schema,
       o.name,
       o.args,
       pg_catalog.pg_get_userbyid(o.owner) AS owner,
       o.relkind,
       CASE WHEN o.relid IS NOT NULL THEN ARRAY(
         SELECT att.attname::text
         FROM pg_catalog.pg_attribute AS att
         WHERE att.attrelid = o.relid AND att.attnum > 0 AND NOT att.attisdropped
         ORDER BY att.attnum
       ) END AS columns,
       -- [grantee, privilege, grantable, grantor] for each ACL entry beyond the initial ones.
       coalesce((
         SELECT json_agg(json_build_array(
                  pg_catalog.pg_get_userbyid(a.grantee), a.privilege_type, a.is_grantable,
                  pg_catalog.pg_get_userbyid(a.grantor)))
         FROM pg_catalog.aclexplode(o.acl) AS a
         WHERE a.grantee <> 0
           AND NOT EXISTS (
             SELECT FROM pg_catalog.pg_init_privs AS i
             CROSS JOIN LATERAL pg_catalog.aclexplode(i.initprivs) AS initial
             WHERE i.objoid = o.objid AND i.classoid = o.classid AND i.objsubid = 0
               AND initial.grantee = a.grantee AND initial.privilege_type = a.privilege_type
               AND initial.is_grantable = a.is_grantable
           )
       ), '[]') AS privileges,
       -- [column, grantee, privilege, grantable, grantor] for each column ACL entry beyond the
       -- initial ones (pg_init_privs.objsubid is the column's attnum).
       coalesce((
         SELECT json_agg(json_build_array(
                  att.attname, pg_catalog.pg_get_userbyid(a.grantee), a.privilege_type,
                  a.is_grantable, pg_catalog.pg_get_userbyid(a.grantor)))
         FROM pg_catalog.pg_attribute AS att
         CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) AS a
         WHERE att.attrelid = o.relid AND att.attnum > 0 AND NOT att.attisdropped
           AND att.attacl IS NOT NULL AND a.grantee <> 0
           AND NOT EXISTS (
             SELECT FROM pg_catalog.pg_init_privs AS i
             CROSS JOIN LATERAL pg_catalog.aclexplode(i.initprivs) AS initial
             WHERE i.objoid = o.objid AND i.classoid = o.classid AND i.objsubid = att.attnum
               AND initial.grantee = a.grantee AND initial.privilege_type = a.privilege_type
               AND initial.is_grantable = a.is_grantable
           )
       ), '[]') AS column_privileges
FROM system_object AS o;
