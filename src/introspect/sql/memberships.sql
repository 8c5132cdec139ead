-- Role memberships, PostgreSQL 16 and later: one row per (role, member, grantor).
--
-- From 16, a membership may be granted several times by different grantors, each grant with
-- its own ADMIN, INHERIT and SET options (inherit_option and set_option are new columns in
-- 16; memberships-pre16.sql reads older servers). The grantor is a real role there: 16 tracks
-- it as a dependency, and grants made by a superuser are recorded as granted by the
-- bootstrap superuser.
SELECT r.rolname AS role,
       m.rolname AS member,
       g.rolname AS grantor,
       am.admin_option AS admin,
       am.inherit_option AS inherit,
       am.set_option AS set
FROM pg_catalog.pg_auth_members AS am
JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid
JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
JOIN pg_catalog.pg_roles AS g ON g.oid = am.grantor
ORDER BY r.rolname COLLATE "C", m.rolname COLLATE "C", g.rolname COLLATE "C";
