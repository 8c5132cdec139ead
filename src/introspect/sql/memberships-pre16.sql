-- Role memberships before PostgreSQL 16: one row per (role, member).
--
-- inherit_option and set_option do not exist before 16 (inheritance is the member's
-- rolinherit attribute, and SET ROLE is always allowed), so they are reported as NULL.
-- Before 16 the grantor was not tracked as a dependency: it may name a role that was dropped
-- since (or be 0). pg_get_userbyid() then gives 'unknown (OID=n)' instead of failing the join.
SELECT r.rolname AS role,
       m.rolname AS member,
       pg_catalog.pg_get_userbyid(am.grantor) AS grantor,
       am.admin_option AS admin,
       NULL::boolean AS inherit,
       NULL::boolean AS set
FROM pg_catalog.pg_auth_members AS am
JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid
JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
ORDER BY r.rolname COLLATE "C", m.rolname COLLATE "C";
