-- ALTER DEFAULT PRIVILEGES entries, one row per (for_role, schema, object type, grantee,
-- privilege).
--
-- defaclnamespace = 0 is a global entry (no IN SCHEMA). A global entry stores the complete
-- ACL that new objects will get, the creator's own implicit privileges included (e.g.
-- {alice=arwdDxtm/alice,bob=r/alice} after granting SELECT ON TABLES to bob), because it
-- replaces the built-in default; a per-schema entry stores only what it adds. So in global
-- entries, rows whose grantee is for_role are the creator's own (ownership) privileges.
-- PUBLIC (grantee 0) is left out, as everywhere in pgward.
-- defaclobjtype: r tables, S sequences, f functions (and procedures), T types, n schemas,
-- and from PostgreSQL 18 L large objects.
-- Wrapped so that ORDER BY can name the output columns with a collation.
SELECT *
FROM (
  SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text AS for_role,
         n.nspname::text AS schema,
         d.defaclobjtype::text AS object_type,
         pg_catalog.pg_get_userbyid(a.grantee)::text AS grantee,
         a.privilege_type AS privilege,
         pg_catalog.bool_or(a.is_grantable) AS grantable
  FROM pg_catalog.pg_default_acl AS d
  LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS a
  WHERE a.grantee <> 0
  GROUP BY 1, 2, 3, 4, 5
) AS fact
ORDER BY for_role COLLATE "C", schema COLLATE "C" NULLS FIRST, object_type COLLATE "C",
         grantee COLLATE "C", privilege COLLATE "C";
