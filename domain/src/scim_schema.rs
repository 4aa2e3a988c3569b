//! What a SCIM client discovers about Gatehouse (RFC 7643 §5–7, RFC 7644 §4): the service
//! provider's configuration, the two resource types and the schemas of their attributes (the
//! core User with the enterprise extension, the core Group, and the three schemas that describe
//! discovery itself). Built as data from a small attribute table so every definition carries the
//! same characteristics the RFC lists (type, multiValued, required, caseExact, mutability,
//! returned, uniqueness, referenceTypes, canonicalValues, subAttributes).
use crate::scim::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};
use serde_json::{json, Value};

pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// The most resources one list answers with (`filter.maxResults`).
pub const MAX_RESULTS: i64 = 200;

/// One attribute definition.
#[derive(Debug, Clone)]
struct Attr {
    name: &'static str,
    ty: &'static str,
    multi: bool,
    required: bool,
    case_exact: bool,
    mutability: &'static str,
    returned: &'static str,
    uniqueness: &'static str,
    refs: &'static [&'static str],
    canonical: &'static [&'static str],
    subs: Vec<Attr>,
    description: &'static str,
}

fn attr(name: &'static str, ty: &'static str, description: &'static str) -> Attr {
    Attr { name, ty, multi: false, required: false, case_exact: false, mutability: "readWrite", returned: "default", uniqueness: "none", refs: &[], canonical: &[], subs: vec![], description }
}

fn string(name: &'static str, description: &'static str) -> Attr {
    attr(name, "string", description)
}

fn boolean(name: &'static str, description: &'static str) -> Attr {
    attr(name, "boolean", description)
}

fn reference(name: &'static str, refs: &'static [&'static str], description: &'static str) -> Attr {
    Attr { refs, ..attr(name, "reference", description) }
}

fn complex(name: &'static str, subs: Vec<Attr>, description: &'static str) -> Attr {
    Attr { subs, ..attr(name, "complex", description) }
}

impl Attr {
    fn multi(self) -> Self {
        Attr { multi: true, ..self }
    }
    fn required(self) -> Self {
        Attr { required: true, ..self }
    }
    fn case_exact(self) -> Self {
        Attr { case_exact: true, ..self }
    }
    fn read_only(self) -> Self {
        Attr { mutability: "readOnly", ..self }
    }
    fn immutable(self) -> Self {
        Attr { mutability: "immutable", ..self }
    }
    fn server_unique(self) -> Self {
        Attr { uniqueness: "server", ..self }
    }
    fn canonical(self, values: &'static [&'static str]) -> Self {
        Attr { canonical: values, ..self }
    }
    fn write_only_never_returned(self) -> Self {
        Attr { mutability: "writeOnly", returned: "never", ..self }
    }
    /// The same characteristics for every sub-attribute (a read-only complex attribute's parts
    /// are read-only too).
    fn subs_read_only(mut self) -> Self {
        self.subs = self.subs.into_iter().map(Attr::read_only).collect();
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "name": self.name,
            "type": self.ty,
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability,
            "returned": self.returned,
            "uniqueness": self.uniqueness,
        });
        if !self.refs.is_empty() {
            v["referenceTypes"] = json!(self.refs);
        }
        if !self.canonical.is_empty() {
            v["canonicalValues"] = json!(self.canonical);
        }
        if !self.subs.is_empty() {
            v["subAttributes"] = Value::Array(self.subs.iter().map(Attr::to_json).collect());
        }
        v
    }
}

/// A multi-valued attribute with the usual `value`, `display`, `type` and `primary`.
fn multi_valued(name: &'static str, value: Attr, types: &'static [&'static str], description: &'static str) -> Attr {
    complex(
        name,
        vec![
            value,
            string("display", "A human-readable name, primarily used for display purposes."),
            string("type", "A label indicating the attribute's function.").canonical(types),
            boolean("primary", "Whether this is the primary or preferred value."),
        ],
        description,
    )
    .multi()
}

fn user_attributes() -> Vec<Attr> {
    vec![
        string("userName", "Unique identifier for the User within the organization; Gatehouse invites the User at its e-mail address.").required().server_unique(),
        complex(
            "name",
            vec![
                string("formatted", "The full name, formatted for display."),
                string("familyName", "The family name."),
                string("givenName", "The given name."),
                string("middleName", "The middle name(s)."),
                string("honorificPrefix", "The honorific prefix(es)."),
                string("honorificSuffix", "The honorific suffix(es)."),
            ],
            "The components of the user's real name.",
        ),
        string("displayName", "The name shown in Gatehouse."),
        string("nickName", "The casual way to address the user."),
        reference("profileUrl", &["external"], "A URI of the user's online profile."),
        string("title", "The user's title, such as \"Vice President\"; Gatehouse shows it as the job title."),
        string("userType", "The relationship between the organization and the user."),
        string("preferredLanguage", "The user's preferred written or spoken language; the language of Gatehouse's mail to them."),
        string("locale", "The user's default location for localizing."),
        string("timezone", "The user's time zone in the IANA Time Zone database format."),
        boolean("active", "Whether the user may sign in; false ends the membership at once."),
        string("password", "Not kept: people set their Gatehouse password themselves.").write_only_never_returned(),
        multi_valued("emails", string("value", "An e-mail address."), &["work", "home", "other"], "E-mail addresses for the user."),
        multi_valued("phoneNumbers", string("value", "A phone number."), &["work", "home", "mobile", "fax", "pager", "other"], "Phone numbers for the user."),
        multi_valued("ims", string("value", "An instant messaging address."), &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"], "Instant messaging addresses for the user."),
        multi_valued("photos", reference("value", &["external"], "The URL of a photo of the user."), &["photo", "thumbnail"], "URLs of photos of the user."),
        complex(
            "addresses",
            vec![
                string("formatted", "The full mailing address, formatted for display."),
                string("streetAddress", "The full street address component."),
                string("locality", "The city or locality component."),
                string("region", "The state or region component."),
                string("postalCode", "The zip code or postal code component."),
                string("country", "The country name component."),
                string("type", "A label indicating the address's function.").canonical(&["work", "home", "other"]),
                boolean("primary", "Whether this is the primary address."),
            ],
            "A physical mailing address for this user.",
        )
        .multi(),
        complex(
            "groups",
            vec![
                string("value", "The identifier of the user's group."),
                reference("$ref", &["User", "Group"], "The URI of the corresponding Group resource."),
                string("display", "A human-readable name."),
                string("type", "How the membership came about.").canonical(&["direct", "indirect"]),
            ],
            "The groups the user belongs to, as the Group resources say.",
        )
        .multi()
        .read_only()
        .subs_read_only(),
        multi_valued("entitlements", string("value", "The value of an entitlement."), &[], "Entitlements for the user."),
        multi_valued("roles", string("value", "The value of a role."), &[], "Roles for the user, as the identity provider names them."),
        multi_valued("x509Certificates", attr("value", "binary", "The value of an X.509 certificate."), &[], "X.509 certificates issued to the user."),
    ]
}

fn enterprise_attributes() -> Vec<Attr> {
    vec![
        string("employeeNumber", "A string identifier, typically numeric or alphanumeric, assigned to a person."),
        string("costCenter", "The name of a cost center."),
        string("organization", "The name of an organization."),
        string("division", "The name of a division."),
        string("department", "The name of a department."),
        complex(
            "manager",
            vec![
                string("value", "The id of the SCIM resource representing the user's manager."),
                reference("$ref", &["User"], "The URI of the manager's User resource."),
                string("displayName", "The display name of the user's manager.").read_only(),
            ],
            "The user's manager.",
        ),
    ]
}

fn group_attributes() -> Vec<Attr> {
    vec![
        string("displayName", "The group's name; Gatehouse keeps a unit of this name.").required().server_unique(),
        complex(
            "members",
            vec![
                string("value", "The id of a User of this organization.").immutable(),
                reference("$ref", &["User", "Group"], "The URI of the member's resource.").immutable(),
                string("display", "A human-readable name."),
                string("type", "The type of the member.").canonical(&["User", "Group"]).immutable(),
            ],
            "The Users in the group: the members of its unit.",
        )
        .multi(),
    ]
}

fn service_provider_config_attributes() -> Vec<Attr> {
    let supported = |name: &'static str, d: &'static str| complex(name, vec![boolean("supported", "Whether the operation is supported.").required().read_only()], d).required().read_only().subs_read_only();
    vec![
        reference("documentationUri", &["external"], "The service provider's documentation.").read_only(),
        supported("patch", "PATCH configuration options."),
        complex(
            "bulk",
            vec![boolean("supported", "Whether bulk is supported."), attr("maxOperations", "integer", "The most operations."), attr("maxPayloadSize", "integer", "The largest payload, in bytes.")],
            "Bulk configuration options.",
        )
        .required()
        .read_only()
        .subs_read_only(),
        complex("filter", vec![boolean("supported", "Whether filtering is supported."), attr("maxResults", "integer", "The most resources one answer holds.")], "Filter options.")
            .required()
            .read_only()
            .subs_read_only(),
        supported("changePassword", "Change password options."),
        supported("sort", "Sorting options."),
        supported("etag", "ETag options."),
        complex(
            "authenticationSchemes",
            vec![
                string("type", "The authentication scheme.").canonical(&["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"]),
                string("name", "The common authentication scheme name."),
                string("description", "A description of the authentication scheme."),
                reference("specUri", &["external"], "The scheme's specification."),
                reference("documentationUri", &["external"], "The scheme's documentation."),
                boolean("primary", "Whether this is the preferred scheme."),
            ],
            "The authentication schemes supported.",
        )
        .multi()
        .required()
        .read_only()
        .subs_read_only(),
    ]
}

fn resource_type_attributes() -> Vec<Attr> {
    vec![
        string("id", "The resource type's server unique id.").read_only(),
        string("name", "The resource type name.").required().read_only(),
        string("description", "The resource type's human-readable description.").read_only(),
        reference("endpoint", &["uri"], "The resource type's HTTP-addressable endpoint.").required().read_only(),
        reference("schema", &["uri"], "The resource type's primary schema URI.").required().read_only().case_exact(),
        complex(
            "schemaExtensions",
            vec![reference("schema", &["uri"], "The URI of an extended schema.").required().read_only().case_exact(), boolean("required", "Whether the extension is required.").required().read_only()],
            "A list of URIs of the resource type's schema extensions.",
        )
        .multi()
        .read_only(),
    ]
}

fn schema_attributes() -> Vec<Attr> {
    let characteristics = || {
        vec![
            string("name", "The attribute's name.").required().read_only().case_exact(),
            string("type", "The attribute's data type.").required().read_only().canonical(&["string", "complex", "boolean", "decimal", "integer", "dateTime", "reference", "binary"]),
            boolean("multiValued", "Whether the attribute is multi-valued.").required().read_only(),
            string("description", "A human-readable description of the attribute.").read_only(),
            boolean("required", "Whether the attribute is required.").read_only(),
            string("canonicalValues", "Suggested values.").multi().read_only(),
            boolean("caseExact", "Whether values are case sensitive.").read_only(),
            string("mutability", "Whether the attribute may be changed.").read_only().canonical(&["readOnly", "readWrite", "immutable", "writeOnly"]),
            string("returned", "When the attribute is returned.").read_only().canonical(&["always", "never", "default", "request"]),
            string("uniqueness", "How the value is unique.").read_only().canonical(&["none", "server", "global"]),
            string("referenceTypes", "The types of resource the reference may point to.").multi().read_only(),
        ]
    };
    let mut subs = characteristics();
    subs.push(complex("subAttributes", characteristics(), "The sub-attributes of a complex attribute.").multi().read_only());
    vec![
        string("id", "The unique URI of the schema.").required().read_only().case_exact(),
        string("name", "The schema's human-readable name.").read_only(),
        string("description", "The schema's human-readable description.").read_only(),
        complex("attributes", subs, "The service provider's attributes of the schema.").multi().required().read_only(),
    ]
}

fn schema_document(id: &str, name: &str, description: &str, attributes: Vec<Attr>, base: &str) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes.iter().map(Attr::to_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")},
    })
}

/// Every schema served at `/Schemas`, `base` the SCIM root URL (`…/scim/v2`).
pub fn schemas(base: &str) -> Vec<Value> {
    vec![
        schema_document(USER_SCHEMA, "User", "User Account", user_attributes(), base),
        schema_document(ENTERPRISE_USER_SCHEMA, "EnterpriseUser", "Enterprise User", enterprise_attributes(), base),
        schema_document(GROUP_SCHEMA, "Group", "Group: a unit of the organization", group_attributes(), base),
        schema_document(SERVICE_PROVIDER_CONFIG_SCHEMA, "ServiceProviderConfig", "Service Provider Configuration", service_provider_config_attributes(), base),
        schema_document(RESOURCE_TYPE_SCHEMA, "ResourceType", "Resource Type", resource_type_attributes(), base),
        schema_document(SCHEMA_SCHEMA, "Schema", "Schema definition", schema_attributes(), base),
    ]
}

/// The resource types served at `/ResourceTypes`.
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person of the organization (a membership; an invitation until they join)",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_USER_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A unit of the organization with its provisioned members",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }),
    ]
}

/// `/ServiceProviderConfig`: PATCH and filtering yes; bulk, sorting, ETags and changing
/// passwords no; an API key as a bearer token.
pub fn service_provider_config(base: &str, documentation: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": documentation,
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API key",
            "description": "A Gatehouse API key of the organization (Authorization: Bearer ghk_…) carrying members.view, members.invite, members.edit, members.terminate, units.view, units.manage and members.move as needed",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    })
}

/// Attributes never returned (`returned: never`): dropped from every document kept.
pub const NEVER_RETURNED: &[&str] = &["password"];

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(attrs: &'a Value, name: &str) -> &'a Value {
        attrs.as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()
    }

    #[test]
    fn schemas_describe_every_attribute_with_all_characteristics() {
        let all = schemas("https://x/scim/v2");
        let names: Vec<&str> = all.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["User", "EnterpriseUser", "Group", "ServiceProviderConfig", "ResourceType", "Schema"]);
        let user = &all[0]["attributes"];
        let user_name = find(user, "userName");
        assert_eq!((user_name["required"].as_bool(), user_name["uniqueness"].as_str()), (Some(true), Some("server")));
        let password = find(user, "password");
        assert_eq!((password["mutability"].as_str(), password["returned"].as_str()), (Some("writeOnly"), Some("never")));
        let groups = find(user, "groups");
        assert!(groups["subAttributes"].as_array().unwrap().iter().all(|s| s["mutability"] == "readOnly"));
        let emails = find(user, "emails");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(find(&emails["subAttributes"], "type")["canonicalValues"], json!(["work", "home", "other"]));
        for s in &all {
            for a in s["attributes"].as_array().unwrap() {
                for k in ["name", "type", "multiValued", "required", "caseExact", "mutability", "returned", "uniqueness"] {
                    assert!(a.get(k).is_some(), "{} lacks {k}", a["name"]);
                }
            }
        }
        assert_eq!(all[2]["meta"]["location"], format!("https://x/scim/v2/Schemas/{GROUP_SCHEMA}"));
    }

    #[test]
    fn resource_types_and_configuration() {
        let rt = resource_types("b");
        assert_eq!(rt[0]["schemaExtensions"][0]["schema"], ENTERPRISE_USER_SCHEMA);
        assert_eq!(rt[1]["endpoint"], "/Groups");
        let c = service_provider_config("b", "d");
        assert_eq!((c["patch"]["supported"].as_bool(), c["bulk"]["supported"].as_bool(), c["filter"]["maxResults"].as_i64()), (Some(true), Some(false), Some(MAX_RESULTS)));
    }
}
