DROP INDEX users_name_lower;
DROP INDEX memberships_org_figures;
