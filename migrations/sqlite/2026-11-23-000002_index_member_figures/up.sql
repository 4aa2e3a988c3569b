-- Index-only scans for the dashboard figures and the members count.
CREATE INDEX memberships_org_figures ON memberships (org_id, role_holder_only, status, member_kind);
CREATE INDEX users_name_lower ON users (lower(display_name));
