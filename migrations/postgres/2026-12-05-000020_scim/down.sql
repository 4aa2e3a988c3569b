DROP TABLE scim_resources;
