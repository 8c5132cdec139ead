-- Direct members of one role, each once (PostgreSQL 16+ may record a membership once per
-- grantor). `$1` is the role's quoted name: the `regrole` cast makes a missing role the
-- server's own error (42704, role "x" does not exist) instead of an empty list.
SELECT DISTINCT m.rolname COLLATE "C" AS member
FROM pg_catalog.pg_auth_members AS am
JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
WHERE am.roleid = $1::regrole
ORDER BY 1
