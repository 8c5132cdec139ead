-- Privileges PUBLIC holds on the configured schemas ($1) and on the objects in them.
--
-- CurrentState leaves PUBLIC out, yet every role uses what PUBLIC holds: USAGE on the
-- `public` schema (explicit in its ACL), EXECUTE on functions and USAGE on types (implicit:
-- a NULL ACL means acldefault(), which grants them to PUBLIC). aclexplode() reports PUBLIC as
-- grantee 0. Kinds and names follow ObjectRef: relkind S is a sequence, every other relation
-- kind a table; routines carry oidvectortypes() as their argument list.
WITH objects AS (
    SELECT 'schema' AS kind, NULL::text AS schema, n.nspname::text AS name, NULL::text AS args,
           coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner)) AS acl
      FROM pg_catalog.pg_namespace AS n
     WHERE n.nspname = ANY ($1::text[])
    UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END,
           n.nspname::text, c.relname::text, NULL,
           coalesce(c.relacl,
                    pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY ($1::text[])
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    UNION ALL
    SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END,
           n.nspname::text, p.proname::text, pg_catalog.oidvectortypes(p.proargtypes),
           coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
      FROM pg_catalog.pg_proc AS p
      JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY ($1::text[])
    UNION ALL
    SELECT CASE WHEN t.typtype = 'd' THEN 'domain' ELSE 'type' END,
           n.nspname::text, t.typname::text, NULL,
           coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))
      FROM pg_catalog.pg_type AS t
      JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY ($1::text[])
)
SELECT o.kind, o.schema, o.name, o.args, a.privilege_type AS privilege
  FROM objects AS o
 CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) AS a
 WHERE a.grantee = 0
 ORDER BY o.kind, o.schema COLLATE "C", o.name COLLATE "C", o.args, a.privilege_type;
