-- The catalog facts `pgward explain` and `pgward graph` reason about, in ONE statement (one
-- round trip, one snapshot, whatever the number of roles and objects): each section is a JSON
-- array, so rows of different shapes come back in a single row.
--
-- $2 (text): when not NULL, read the relations and routines of this schema only ('' = of no
-- schema): explaining one object needs its own schema's objects, not 5,000 tables' ACLs.
-- Databases, schemas, roles and default privileges are always read whole (they are few).
--
-- $1 (boolean): also read objects. `graph` needs only roles and memberships; `explain` needs
-- everything: the current database's schemas, relations and routines with their owners and
-- exploded ACLs (pg_catalog.aclexplode(coalesce(acl, pg_catalog.acldefault(...))): a NULL ACL means the built-in
-- defaults, owner and PUBLIC included), column ACLs, default privileges, RLS flags and
-- policies, and every database's ACL (pg_database is shared, so all of them are visible).
--
-- Membership options: inherit_option and set_option exist from PostgreSQL 16. pg_catalog.to_jsonb(am)
-- reads them where they exist and gives NULL before 16, so one text serves 14 to 18; the
-- caller then uses the member's rolinherit, as the server does before 16.
--
-- aclexplode's grantee 0 is PUBLIC: returned as NULL. System schemas (pg_catalog,
-- information_schema, pg_toast, temporary schemas) and their objects are left out.
WITH
user_schemas AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_catalog.pg_namespace AS n
  WHERE $1::boolean
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname !~ '^pg_(toast_)?temp_'
),
object_schemas AS (
  SELECT * FROM user_schemas WHERE $2::text IS NULL OR nspname = $2::text
),
relations AS (
  SELECT c.oid, s.nspname, c.relname, c.relowner, c.relkind, c.relacl,
         c.relrowsecurity, c.relforcerowsecurity
  FROM pg_catalog.pg_class AS c
  JOIN object_schemas AS s ON s.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S')
),
objects AS (
  SELECT 'database' AS kind, NULL::text AS schema, d.datname::text AS name, NULL::text AS args,
         d.datdba AS owner, NULL::text AS relkind, false AS row_security,
         false AS force_row_security, NULL::text[] AS columns,
         coalesce(d.datacl, pg_catalog.acldefault('d'::"char", d.datdba)) AS acl
  FROM pg_catalog.pg_database AS d
  WHERE $1::boolean
  UNION ALL
  SELECT 'schema', NULL, s.nspname::text, NULL, s.nspowner, NULL, false, false, NULL,
         coalesce(s.nspacl, pg_catalog.acldefault('n'::"char", s.nspowner))
  FROM user_schemas AS s
  UNION ALL
  SELECT CASE WHEN r.relkind = 'S' THEN 'sequence' ELSE 'table' END, r.nspname::text,
         r.relname::text, NULL, r.relowner, r.relkind::text, r.relrowsecurity,
         r.relforcerowsecurity,
         CASE WHEN r.relkind <> 'S' THEN ARRAY(
           SELECT a.attname::text FROM pg_catalog.pg_attribute AS a
           WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum) END,
         coalesce(r.relacl, pg_catalog.acldefault(
           CASE WHEN r.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, r.relowner))
  FROM relations AS r
  UNION ALL
  -- Functions, procedures, aggregates: one EXECUTE privilege, one default ACL ('f').
  SELECT 'function', s.nspname::text, p.proname::text,
         pg_catalog.oidvectortypes(p.proargtypes), p.proowner, p.prokind::text, false, false,
         NULL, coalesce(p.proacl, pg_catalog.acldefault('f'::"char", p.proowner))
  FROM pg_catalog.pg_proc AS p
  JOIN object_schemas AS s ON s.oid = p.pronamespace
),
-- Objects numbered in output order; their ACL entries refer to them by number. One flat
-- aggregate over every ACL entry costs a fraction of one small aggregate per object.
numbered AS (
  SELECT pg_catalog.row_number() OVER (
           ORDER BY pg_catalog.array_position(
                      ARRAY['database', 'schema', 'table', 'sequence', 'function'], o.kind),
                    o.schema COLLATE "C", o.name COLLATE "C", o.args COLLATE "C") AS id,
         o.*
  FROM objects AS o
),
column_acl AS (
  -- A column's ACL is NULL unless a column privilege was granted: the default grants nothing.
  SELECT r.nspname::text AS schema, r.relname::text AS name, a.attname::text AS column_name,
         e.grantee, e.grantor, e.privilege_type, e.is_grantable
  FROM relations AS r
  JOIN pg_catalog.pg_attribute AS a
    ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) AS e
)
SELECT
  pg_catalog.current_database() AS current_database,
  pg_catalog.current_setting('server_version_num')::integer AS server_version_num,
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'oid', r.oid::bigint, 'name', r.rolname, 'superuser', r.rolsuper, 'inherit', r.rolinherit,
      'login', r.rolcanlogin, 'bypassrls', r.rolbypassrls) ORDER BY r.rolname COLLATE "C"), '[]')
   FROM pg_catalog.pg_roles AS r) AS roles,
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'role', r.rolname, 'member', m.rolname, 'grantor', g.rolname,
      'admin', am.admin_option,
      'inherit', (pg_catalog.to_jsonb(am) ->> 'inherit_option')::boolean,
      'set', (pg_catalog.to_jsonb(am) ->> 'set_option')::boolean)
      ORDER BY r.rolname COLLATE "C", m.rolname COLLATE "C", g.rolname COLLATE "C"), '[]')
   FROM pg_catalog.pg_auth_members AS am
   JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid
   JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
   LEFT JOIN pg_catalog.pg_roles AS g ON g.oid = am.grantor) AS memberships,
  -- (oids as bigint: json renders an oid as a string)
  -- [id, kind, schema, name, args, owner oid, relkind, row security, forced, columns]
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
      o.id, o.kind, o.schema, o.name, o.args, o.owner::bigint, o.relkind, o.row_security,
      o.force_row_security, o.columns) ORDER BY o.id), '[]')
   FROM numbered AS o) AS objects,
  -- [object id, grantee oid (0 = PUBLIC), grantor oid, privilege, grantable]
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
      o.id, e.grantee::bigint, e.grantor::bigint, e.privilege_type, e.is_grantable)), '[]')
   FROM numbered AS o
   CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) AS e) AS acl,
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'schema', c.schema, 'name', c.name, 'column', c.column_name,
      'grantee', CASE WHEN c.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(c.grantee) END,
      'grantor', pg_catalog.pg_get_userbyid(c.grantor),
      'privilege', c.privilege_type, 'grantable', c.is_grantable)
      ORDER BY c.schema COLLATE "C", c.name COLLATE "C", c.column_name COLLATE "C"), '[]')
   FROM column_acl AS c) AS column_acl,
  -- Default privileges (ALTER DEFAULT PRIVILEGES): what future objects will carry.
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'for_role', pg_catalog.pg_get_userbyid(d.defaclrole), 'schema', n.nspname,
      'object_type', d.defaclobjtype::text,
      'grantee', CASE WHEN e.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(e.grantee) END,
      'privilege', e.privilege_type, 'grantable', e.is_grantable)), '[]')
   FROM pg_catalog.pg_default_acl AS d
   LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
   CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS e
   WHERE $1::boolean) AS default_acl,
  -- Row-level security policies; polroles {0} means PUBLIC.
  (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', ARRAY(SELECT CASE WHEN x = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x) END
                     FROM pg_catalog.unnest(p.polroles) AS x))
      ORDER BY r.nspname COLLATE "C", r.relname COLLATE "C", p.polname COLLATE "C"), '[]')
   FROM pg_catalog.pg_policy AS p
   JOIN relations AS r ON r.oid = p.polrelid) AS policies
