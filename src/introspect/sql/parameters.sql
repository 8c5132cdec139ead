-- Configuration parameters that carry privileges (GRANT SET / ALTER SYSTEM ON PARAMETER),
-- PostgreSQL 15 and later only: pg_parameter_acl does not exist on 14, so this query runs
-- only from 15. Same columns as objects.sql.
--
-- A parameter has a row only while its ACL differs from the default (PostgreSQL deletes the
-- row when the last privilege is revoked), and the name is stored lowercased.
-- Parameters have no owner column: PostgreSQL treats the bootstrap superuser (OID 10) as
-- their owner (acldefault('p', 10) = {postgres=sA/postgres}, and that entry appears in the
-- ACL once anything is granted), so it is reported as the owner here too.
-- ACL entries come out unsorted and unmerged, as in objects.sql.
SELECT 'parameter' AS kind,
       NULL::text AS schema,
       p.parname::text AS name,
       NULL::text AS args,
       pg_catalog.pg_get_userbyid(10) AS owner,
       NULL::text AS relkind,
       NULL::text[] AS columns,
       coalesce(p.paracl, pg_catalog.acldefault('p', 10))::text[] AS acl,
       NULL::text[] AS initprivs,
       '[]'::json AS column_privileges
FROM pg_catalog.pg_parameter_acl AS p
ORDER BY p.parname COLLATE "C";
