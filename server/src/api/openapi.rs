//! The OpenAPI 3.0 description of every `/v1` route, served at `/v1/openapi.json`. [`OPERATIONS`]
//! is the one list of the API's routes: each entry is a route's documentation *and* its handler,
//! and `api::router` routes exactly these, so no route can exist undocumented or be documented
//! without existing. The schemas are written here by hand; the API tests check every response
//! against them (schemathesis' response conformance).

use axum::Json;
use axum::routing::MethodRouter;
use serde_json::{Value, json};

use crate::service::Service;

/// One documented operation: method, path, summary, request body schema, success schema.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub request: Option<fn() -> Value>,
    pub response: fn() -> Value,
    /// The query parameters (name, required, schema type).
    pub query: &'static [(&'static str, bool, &'static str)],
    /// Its handler: the router is built from this list alone, so a route and its
    /// documentation are one entry and cannot drift apart.
    pub route: fn() -> MethodRouter<Service>,
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": r(name)})
}
fn null() -> Value {
    json!({"nullable": true, "enum": [null]})
}

macro_rules! op {
    ($method:literal, $path:literal, $summary:literal, $request:expr, $response:expr, route: $route:expr) => {
        op!($method, $path, $summary, $request, $response, &[], route: $route)
    };
    ($method:literal, $path:literal, $summary:literal, $request:expr, $response:expr, $query:expr, route: $route:expr) => {
        Operation {
            method: $method,
            path: $path,
            summary: $summary,
            request: $request,
            response: $response,
            query: $query,
            route: $route,
        }
    };
}

/// The routes that enable a version: `force` (enable one that answers no user group), `note`
/// (stored with the version) and `base` (the version the caller saw enabled; 0: none).
const ENABLING: &[(&str, bool, &str)] = &[
    ("force", false, "boolean"),
    ("note", false, "string"),
    ("base", false, "integer"),
];

pub const OPERATIONS: &[Operation] = &[
    op!(
        "get",
        "/v1/openapi.json",
        "This description (no authentication needed)",
        None,
        || json!({"type": "object"}),
        route: || axum::routing::get(serve)
    ),
    op!(
        "get",
        "/v1/domains",
        "List the caller's domains",
        None,
        || array_of("DomainSummary"),
        route: || axum::routing::get(super::domains::list_domains)
    ),
    op!(
        "post",
        "/v1/domains",
        "Create domains (all or none)",
        Some(|| array_of("NewDomain")),
        || array_of("CreatedDomain"),
        route: || axum::routing::post(super::domains::create_domains)
    ),
    op!(
        "post",
        "/v1/domains/{domain}/verify",
        "Look for the proof of control of a pending delegated domain now (409: not found yet)",
        None,
        || r("Verification"),
        route: || axum::routing::post(super::domains::verify)
    ),
    op!(
        "delete",
        "/v1/domains",
        "Delete domains (all or none)",
        Some(|| json!({"type": "array", "items": {"type": "string"}})),
        null,
        route: || axum::routing::delete(super::domains::delete_domains)
    ),
    op!(
        "get",
        "/v1/domains/{domain}",
        "One domain: the list row and its details (quarantine: why its strategy is not loaded)",
        None,
        || r("DomainDetails"),
        route: || axum::routing::get(super::domains::details)
    ),
    op!(
        "put",
        "/v1/domains/{domain}/ttl",
        "Set the TTL of the domain's answers",
        Some(|| r("TtlChange")),
        null,
        route: || axum::routing::put(super::domains::set_ttl)
    ),
    op!(
        "put",
        "/v1/domains/{domain}/status",
        "Start, stop or pause scheduling",
        Some(|| r("StatusChange")),
        null,
        route: || axum::routing::put(super::domains::set_status)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/monitor",
        "The domain's monitor settings",
        None,
        || r("MonitorSettings"),
        route: || axum::routing::get(super::domains::monitor)
    ),
    op!(
        "put",
        "/v1/domains/{domain}/monitor",
        "Replace the domain's monitor settings",
        Some(|| r("MonitorSettings")),
        null,
        route: || axum::routing::put(super::domains::set_monitor)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/strategy",
        "The enabled strategy",
        None,
        || r("StrategyDocument"),
        route: || axum::routing::get(super::domains::strategy)
    ),
    op!(
        "post",
        "/v1/domains/{domain}/recommend-strategy",
        "Generate and enable the recommended strategy",
        None,
        null,
        ENABLING,
        route: || axum::routing::post(super::domains::recommend)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/strategy/versions",
        "Every enabled strategy version",
        None,
        || array_of("VersionInfo"),
        route: || axum::routing::get(super::domains::versions)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/strategy/versions/{version}",
        "One version's strategy over today's endpoints",
        None,
        || r("StrategyDocument"),
        route: || axum::routing::get(super::domains::version)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/strategy/draft",
        "The saved draft (404: none)",
        None,
        || r("StrategyDraft"),
        route: || axum::routing::get(super::domains::draft)
    ),
    op!(
        "put",
        "/v1/domains/{domain}/strategy/draft",
        "Save the draft (it may be invalid; enabling validates)",
        Some(|| r("StrategyInput")),
        || r("StrategyDraft"),
        route: || axum::routing::put(super::domains::save_draft)
    ),
    op!(
        "delete",
        "/v1/domains/{domain}/strategy/draft",
        "Discard the draft",
        None,
        null,
        route: || axum::routing::delete(super::domains::discard_draft)
    ),
    op!(
        "post",
        "/v1/domains/{domain}/strategy/versions/{version}/restore",
        "Enable an older version again",
        None,
        null,
        ENABLING,
        route: || axum::routing::post(super::domains::restore)
    ),
    op!(
        "get",
        "/v1/nodes",
        "The nodes serving from this store, with their lag and health",
        None,
        || array_of("NodeStatus"),
        route: || axum::routing::get(super::nodes::list)
    ),
    op!(
        "post",
        "/v1/strategys/update-or-create",
        "Enable strategies of several domains (all or none)",
        Some(|| json!({"type": "object", "additionalProperties": r("StrategyInput")})),
        null,
        ENABLING,
        route: || axum::routing::post(super::domains::update_or_create)
    ),
    op!(
        "get",
        "/v1/endpoints",
        "List a domain's endpoints",
        None,
        || array_of("EndpointRecord"),
        &[("domain", true, "string")],
        route: || axum::routing::get(super::domains::list_endpoints)
    ),
    op!(
        "post",
        "/v1/endpoints",
        "Add endpoints (all or none)",
        Some(|| array_of("EndpointInput")),
        null,
        route: || axum::routing::post(super::domains::add_endpoints)
    ),
    op!(
        "put",
        "/v1/endpoints",
        "Modify endpoints (all or none)",
        Some(|| array_of("EndpointInput")),
        null,
        route: || axum::routing::put(super::domains::update_endpoints)
    ),
    op!(
        "delete",
        "/v1/endpoints",
        "Delete endpoints not used by a strategy",
        Some(|| array_of("EndpointRef")),
        null,
        route: || axum::routing::delete(super::domains::delete_endpoints)
    ),
    op!(
        "delete",
        "/v1/endpoints/del-with-regen-strategy",
        "Delete endpoints of one domain and regenerate its strategy",
        Some(|| array_of("EndpointRef")),
        null,
        route: || axum::routing::delete(super::domains::delete_regenerating)
    ),
    op!("get", "/v1/users", "List the account's users", None, || {
        array_of("UserInfo")
    },
        route: || axum::routing::get(super::iam::list_users)
    ),
    op!(
        "post",
        "/v1/users",
        "Create a sub-user (main account only)",
        Some(|| r("NewUser")),
        || r("CreatedUser"),
        route: || axum::routing::post(super::iam::create_user)
    ),
    op!(
        "delete",
        "/v1/users/{username}",
        "Delete a sub-user",
        None,
        null,
        route: || axum::routing::delete(super::iam::delete_user)
    ),
    op!(
        "put",
        "/v1/users/{username}/password",
        "Set or generate a sub-user's password",
        Some(|| r("NewPassword")),
        || r("CreatedUser"),
        route: || axum::routing::put(super::iam::reset_password)
    ),
    op!(
        "post",
        "/v1/users/{username}/policies/{policy}",
        "Grant a system policy",
        None,
        null,
        route: || axum::routing::post(super::iam::grant)
    ),
    op!(
        "delete",
        "/v1/users/{username}/policies/{policy}",
        "Revoke a system policy",
        None,
        null,
        route: || axum::routing::delete(super::iam::revoke)
    ),
    op!(
        "get",
        "/v1/accesskeys",
        "List the account's access keys",
        None,
        || array_of("KeyInfo"),
        route: || axum::routing::get(super::iam::list_keys)
    ),
    op!(
        "post",
        "/v1/accesskeys",
        "Create an access key (the secret is shown once)",
        Some(|| r("NewKey")),
        || r("CreatedKey"),
        route: || axum::routing::post(super::iam::create_key)
    ),
    op!(
        "delete",
        "/v1/accesskeys/{access_key_id}",
        "Delete an access key",
        None,
        null,
        route: || axum::routing::delete(super::iam::delete_key)
    ),
    op!(
        "get",
        "/v1/audit",
        "The audit log, newest first",
        None,
        || array_of("AuditEntry"),
        &[
            ("user", false, "string"),
            ("action", false, "string"),
            ("since", false, "integer"),
            ("before", false, "integer"),
            ("limit", false, "integer")
        ],
        route: || axum::routing::get(super::iam::audit)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/probes",
        "Probe results, newest first (default: the last hour)",
        None,
        || array_of("ProbeRecord"),
        &[
            ("endpoint", false, "string"),
            ("since", false, "integer"),
            ("limit", false, "integer")
        ],
        route: || axum::routing::get(super::monitoring::probes)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/health-events",
        "Endpoint and monitorStatus changes with their evidence, newest first",
        None,
        || array_of("HealthEvent"),
        &[("since", false, "integer"), ("limit", false, "integer")],
        route: || axum::routing::get(super::monitoring::health_events)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/query-volume",
        "DNS queries of the domain's name over the last hours, per time slot and per user group",
        None,
        || r("QueryVolume"),
        &[("hours", false, "integer")],
        route: || axum::routing::get(super::monitoring::query_volume)
    ),
    op!(
        "get",
        "/v1/monitor-points",
        "The built-in point and the registered agents, with what each reports",
        None,
        || array_of("MonitorPoint"),
        route: || axum::routing::get(super::points::list)
    ),
    op!(
        "post",
        "/v1/monitor-points",
        "Register an agent point (its token is shown once)",
        Some(|| r("NewMonitorPoint")),
        || r("CreatedMonitorPoint"),
        route: || axum::routing::post(super::points::create)
    ),
    op!(
        "delete",
        "/v1/monitor-points/{name}",
        "Delete an agent point",
        None,
        null,
        route: || axum::routing::delete(super::points::remove)
    ),
    op!(
        "get",
        "/v1/monitor-tasks",
        "Monitor tasks (points × endpoints) per domain and in total",
        None,
        || r("MonitorTaskCount"),
        route: || axum::routing::get(super::points::tasks_count)
    ),
    op!(
        "get",
        "/v1/agent/tasks",
        "Agents: the probes to run (Authorization: Bearer <point token>)",
        None,
        || array_of("AgentTask"),
        route: || axum::routing::get(super::points::agent_tasks)
    ),
    op!(
        "post",
        "/v1/agent/results",
        "Agents: post probe results (Authorization: Bearer <point token>)",
        Some(|| array_of("AgentResult")),
        null,
        route: || axum::routing::post(super::points::agent_results)
    ),
    op!(
        "get",
        "/v1/contacts",
        "The account's alert contacts",
        None,
        || array_of("Contact"),
        route: || axum::routing::get(super::notify::contacts)
    ),
    op!(
        "post",
        "/v1/contacts",
        "Create a contact, or update the one with that name",
        Some(|| r("Contact")),
        null,
        route: || axum::routing::post(super::notify::put_contact)
    ),
    op!(
        "delete",
        "/v1/contacts/{name}",
        "Delete a contact",
        None,
        null,
        route: || axum::routing::delete(super::notify::delete_contact)
    ),
    op!(
        "post",
        "/v1/contacts/{name}/test",
        "Send a test message on each of the contact's channels (at most one test per 30 s)",
        None,
        || r("TestQueued"),
        route: || axum::routing::post(super::notify::test_contact)
    ),
    op!(
        "get",
        "/v1/contact-groups",
        "The account's contact groups",
        None,
        || array_of("ContactGroup"),
        route: || axum::routing::get(super::notify::groups)
    ),
    op!(
        "put",
        "/v1/contact-groups/{name}",
        "Create or replace a contact group",
        Some(|| r("GroupMembers")),
        null,
        route: || axum::routing::put(super::notify::put_group)
    ),
    op!(
        "delete",
        "/v1/contact-groups/{name}",
        "Delete a contact group",
        None,
        null,
        route: || axum::routing::delete(super::notify::delete_group)
    ),
    op!(
        "get",
        "/v1/domains/{domain}/notify",
        "Whom the domain notifies",
        None,
        || r("DomainNotify"),
        route: || axum::routing::get(super::notify::domain_notify)
    ),
    op!(
        "put",
        "/v1/domains/{domain}/notify",
        "Choose whom the domain notifies",
        Some(|| r("DomainNotify")),
        null,
        route: || axum::routing::put(super::notify::set_domain_notify)
    ),
    op!(
        "get",
        "/v1/deliveries",
        "The delivery log, newest first",
        None,
        || array_of("Delivery"),
        &[("since", false, "integer"), ("limit", false, "integer")],
        route: || axum::routing::get(super::notify::deliveries)
    ),
    op!(
        "post",
        "/v1/session",
        "Console login (sets the session cookie)",
        Some(|| r("Login")),
        || r("SessionInfo"),
        route: || axum::routing::post(super::session::login).layer(axum::extract::DefaultBodyLimit::max(super::MAX_LOGIN_BYTES))
    ),
    op!(
        "get",
        "/v1/session",
        "The current console session",
        None,
        || r("SessionInfo"),
        route: || axum::routing::get(super::session::current)
    ),
    op!("delete", "/v1/session", "Console logout", None, null,
        route: || axum::routing::delete(super::session::logout)
    ),
];

pub async fn serve() -> Json<Value> {
    Json(document())
}

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for op in OPERATIONS {
        let mut parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(
            op.query.iter().map(|(name, required, ty)| json!({"name": name, "in": "query", "required": required, "schema": {"type": ty}})),
        );
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}{}", op.method, op.path.replace(['/', '{', '}', '-'], "_")),
            "parameters": parameters,
            "responses": {
                "200": {"description": "success", "content": {"application/json": {"schema": (op.response)()}}},
                "default": {"description": "failure", "content": {"application/json": {"schema": r("Error")}}}
            }
        });
        if let Some(request) = op.request {
            operation["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": request()}}});
        }
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "ITM API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Intelligent Traffic Manager. Requests are signed with bce-auth-v1 (Authorization header), or carry the console session cookie and, for writes, the X-CSRF-Token header."
        },
        "security": [{"bceAuth": []}],
        "paths": paths,
        "components": {"securitySchemes": {"bceAuth": {"type": "apiKey", "in": "header", "name": "Authorization"}}, "schemas": schemas()}
    })
}

fn schemas() -> Value {
    let s = |v: &str| json!({"type": "string", "enum": v.split('|').collect::<Vec<_>>()});
    json!({
        "Error": {"type": "object", "required": ["requestId", "code", "message"], "properties": {
            "requestId": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}},
        "DomainSummary": {"type": "object", "properties": {
            "domain": {"type": "string"}, "CNAME": {"type": "string"}, "status": s("|start|stop|pause"),
            "monitorStatus": s("|ok|fail"), "resourceStatus": s("STARTED|STOPPED|DELETED"), "hasDistribution": {"type": "boolean"},
            "verification": r("Verification")}},
        "NewDomain": {"type": "object", "additionalProperties": false, "required": ["domain", "isItmDomain"], "properties": {
            "domain": {"type": "string"}, "isItmDomain": {"type": "boolean"}}},
        "CreatedDomain": {"type": "object", "required": ["domain", "isItmDomain"], "properties": {
            "domain": {"type": "string"}, "isItmDomain": {"type": "boolean"}, "verification": r("Verification")}},
        "Verification": {"type": "object", "required": ["status", "txtName", "txtValue"], "properties": {
            "status": s("active|pending|conflict"), "txtName": {"type": "string"}, "txtValue": {"type": "string"}}},
        "DomainDetails": {"type": "object", "properties": {
            "domain": {"type": "string"}, "CNAME": {"type": "string"}, "status": s("|start|stop|pause"),
            "monitorStatus": s("|ok|fail"), "resourceStatus": {"type": "string"}, "hasDistribution": {"type": "boolean"},
            "isItmDomain": {"type": "boolean"}, "ttl": {"type": "integer"}, "endpointCount": {"type": "integer"}, "downCount": {"type": "integer"},
            "strategyVersion": {"type": "integer", "nullable": true}, "createdAt": {"type": "integer"}, "updatedAt": {"type": "integer"},
            "verification": r("Verification"),
            "quarantine": {"type": "object", "required": ["reason", "since"], "properties": {
                "reason": {"type": "string"}, "since": {"type": "integer"}}},
            "nameServers": {"type": "array", "items": {"type": "string"}}}},
        "TtlChange": {"type": "object", "additionalProperties": false, "required": ["ttl"], "properties": {
            "ttl": {"type": "integer", "minimum": 1, "maximum": 86400}}},
        "StatusChange": {"type": "object", "additionalProperties": false, "required": ["status"], "properties": {"status": s("start|stop|pause")}},
        "MonitorSettings": {"type": "object", "additionalProperties": false,
            "required": ["protocol", "port", "path", "host", "expectedCodes", "timeoutSec", "intervalSec", "faultThreshold", "window", "minErrors", "points"],
            "properties": {
                "protocol": s("HTTP|HTTPS|TCP|PING"), "port": {"type": "integer", "minimum": 0, "maximum": 65535},
                "path": {"type": "string"}, "host": {"type": "string"}, "expectedCodes": {"type": "string", "example": "200-299,301,302"},
                "timeoutSec": {"type": "integer", "minimum": 1, "maximum": 60}, "intervalSec": {"type": "integer", "minimum": 1, "maximum": 3600},
                "faultThreshold": {"type": "integer", "minimum": 1, "maximum": 100}, "window": {"type": "integer", "minimum": 1, "maximum": 20},
                "minErrors": {"type": "integer", "minimum": 1, "maximum": 20}, "points": {"type": "array", "items": {"type": "string"}}}},
        "StrategyDocument": {"type": "object", "properties": {
            "status": s("|start|stop|pause"), "strategy": r("StrategyTree"), "endpointsConf": array_of("EndpointConf")}},
        "StrategyInput": {"type": "object", "required": ["strategy"], "properties": {
            "strategy": r("StrategyTree"), "endpointsConf": array_of("EndpointConf")}},
        "StrategyTree": {"type": "object", "additionalProperties": false, "required": ["start"], "properties": {
            "start": {"type": "string"}, "rules": array_of("Rule")}},
        "Rule": {"type": "object", "additionalProperties": false, "required": ["type", "name"], "properties": {
            "type": s("wrr|priority|geoProximity|usersetMapping"), "area": {"type": "string"}, "isp": {"type": "string"},
            "name": {"type": "string"}, "enable": {"type": "boolean"}, "items": array_of("Item")}},
        "Item": {"type": "object", "additionalProperties": false, "required": ["reference"], "properties": {
            "reference": {"type": "string"}, "weight": {"type": "integer", "minimum": 0, "maximum": 100000},
            "priority": {"type": "integer", "minimum": 0, "maximum": 1000}, "usersets": {"type": "string"}}},
        "EndpointConf": {"type": "object", "additionalProperties": false, "required": ["type", "value"], "properties": {
            "type": s("A|AAAA|CNAME"), "value": {"type": "string"}, "area": {"type": "string"}, "isp": {"type": "string"},
            "evalHealth": {"type": "boolean"}, "enable": {"type": "boolean"}}},
        "NodeStatus": {"type": "object", "properties": {
            "name": {"type": "string"}, "version": {"type": "string"}, "http": {"type": "string"}, "dns": {"type": "string"},
            "area": {"type": "string"}, "isp": {"type": "string"}, "startedAt": {"type": "integer"}, "lastSeen": {"type": "integer"},
            "configVersion": {"type": "integer"}, "storeVersion": {"type": "integer"}, "behind": {"type": "integer"},
            "snapshotAgeMs": {"type": "integer"}, "monitoring": {"type": "boolean"}, "monitoredDomains": {"type": "integer"}, "healthy": {"type": "boolean"}}},
        "StrategyDraft": {"type": "object", "properties": {
            "document": r("StrategyDocument"), "updatedAt": {"type": "integer"}, "updatedBy": {"type": "string"}}},
        "VersionInfo": {"type": "object", "properties": {
            "version": {"type": "integer"}, "createdAt": {"type": "integer"}, "createdBy": {"type": "string"},
            "source": {"type": "string", "enum": ["editor", "recommend", "restore", "api", "regenerate", "unrecorded"]},
            "note": {"type": "string"}, "enabled": {"type": "boolean"}}},
        "Contact": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
            "name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"}, "webhook": {"type": "string"}}},
        "QueryVolume": {"type": "object", "required": ["domain", "hours", "from", "stepSeconds", "total", "series", "groupsFrom", "groups"], "properties": {
            "domain": {"type": "string"}, "hours": {"type": "integer", "minimum": 1, "maximum": 168},
            "from": {"type": "integer"}, "stepSeconds": {"type": "integer", "minimum": 60},
            "total": {"type": "integer", "minimum": 0},
            "series": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "groupsFrom": {"type": "integer"},
            "groups": {"type": "array", "items": {"type": "object", "required": ["area", "isp", "count"], "properties": {
                "area": {"type": "string"}, "isp": {"type": "string"}, "count": {"type": "integer", "minimum": 0}}}}}},
        "TestQueued": {"type": "object", "required": ["queued"], "properties": {"queued": {"type": "integer", "minimum": 0}}},
        "ContactGroup": {"type": "object", "properties": {"name": {"type": "string"}, "contacts": {"type": "array", "items": {"type": "string"}}}},
        "GroupMembers": {"type": "object", "additionalProperties": false, "required": ["contacts"], "properties": {
            "contacts": {"type": "array", "items": {"type": "string"}}}},
        "DomainNotify": {"type": "object", "additionalProperties": false, "properties": {
            "contacts": {"type": "array", "items": {"type": "string"}}, "groups": {"type": "array", "items": {"type": "string"}}}},
        "Delivery": {"type": "object", "properties": {
            "id": {"type": "integer"}, "contact": {"type": "string"}, "channel": s("email|sms|webhook"), "address": {"type": "string"},
            "subject": {"type": "string"}, "status": s("pending|sent|failed|suppressed|summarized"), "attempts": {"type": "integer"},
            "lastError": {"type": "string"}, "time": {"type": "integer"}, "sentAt": {"type": "integer", "nullable": true}}},
        "NewMonitorPoint": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
            "name": {"type": "string"}, "area": {"type": "string"}, "isp": {"type": "string"}}},
        "MonitorPoint": {"type": "object", "properties": {
            "name": {"type": "string"}, "area": {"type": "string"}, "isp": {"type": "string"}, "builtIn": {"type": "boolean"},
            "lastSeen": {"type": "integer", "nullable": true}, "reporting": {"type": "integer"}, "failing": {"type": "integer"},
            "probeSideProblem": {"type": "boolean"}, "issue": {"type": "string", "nullable": true},
            "issueKind": {"type": "object", "required": ["kind"], "properties": {"kind": s("blocked|noIcmp"),
                "address": {"type": "string"}, "flag": {"type": "string"}, "networks": {"type": "string"},
                "icmpError": {"type": "string"}, "rawError": {"type": "string"}}}}},
        "CreatedMonitorPoint": {"type": "object", "properties": {"point": r("MonitorPoint"), "token": {"type": "string"}}},
        "MonitorTaskCount": {"type": "object", "properties": {"total": {"type": "integer"}, "domains": {"type": "array", "items": {
            "type": "object", "properties": {"domain": {"type": "string"}, "endpoints": {"type": "integer"},
            "points": {"type": "integer"}, "tasks": {"type": "integer"}}}}}},
        "AgentTask": {"type": "object", "properties": {
            "domainId": {"type": "integer"}, "endpoint": {"type": "string"}, "protocol": s("HTTP|HTTPS|TCP|PING"),
            "port": {"type": "integer"}, "path": {"type": "string"}, "host": {"type": "string"}, "expectedCodes": {"type": "string"},
            "timeoutSec": {"type": "integer"}, "intervalSec": {"type": "integer"}}},
        "AgentResult": {"type": "object", "additionalProperties": false, "required": ["domainId", "endpoint", "time", "ok"], "properties": {
            "domainId": {"type": "integer"}, "endpoint": {"type": "string"}, "time": {"type": "integer"}, "ok": {"type": "boolean"},
            "latencyMs": {"type": "integer", "nullable": true}, "httpStatus": {"type": "integer", "nullable": true},
            "failure": {"type": "string", "nullable": true}}},
        "ProbeRecord": {"type": "object", "properties": {
            "endpoint": {"type": "string"}, "point": {"type": "string"}, "time": {"type": "integer"}, "ok": {"type": "boolean"},
            "latencyMs": {"type": "integer", "nullable": true}, "httpStatus": {"type": "integer", "nullable": true},
            "failure": {"type": "string", "nullable": true, "enum": ["timeout", "refused", "reset", "tls", "dns", "unexpectedStatus", "unreachable", null]}}},
        "HealthEvent": {"type": "object", "properties": {
            "id": {"type": "integer"}, "endpoint": {"type": "string"}, "time": {"type": "integer"},
            "from": s("|unknown|up|down|ok|fail"), "to": s("|unknown|up|down|ok|fail"), "evidence": {"type": "object"}}},
        "EndpointRecord": {"type": "object", "properties": {
            "domain": {"type": "string"}, "endpoint": {"type": "string"}, "type": s("A|AAAA|CNAME"), "area": {"type": "string"},
            "isp": {"type": "string"}, "tag": {"type": "string"}, "status": s("ok|fail|unknown")}},
        "EndpointInput": {"type": "object", "additionalProperties": false, "required": ["domain", "endpoint"], "properties": {
            "domain": {"type": "string"}, "endpoint": {"type": "string"}, "type": s("A|AAAA|CNAME"),
            "area": {"type": "string"}, "isp": {"type": "string"}, "tag": {"type": "string"}}},
        "EndpointRef": {"type": "object", "additionalProperties": false, "required": ["domain", "endpoint"], "properties": {
            "domain": {"type": "string"}, "endpoint": {"type": "string"}}},
        "UserInfo": {"type": "object", "properties": {
            "username": {"type": "string"}, "main": {"type": "boolean"}, "policies": {"type": "array", "items": s("ITMFullControlPolicy|ITMWritePolicy|ITMReadAccessPolicy")},
            "createdAt": {"type": "integer"}}},
        "NewUser": {"type": "object", "additionalProperties": false, "required": ["username"], "properties": {
            "username": {"type": "string"}, "password": {"type": "string"}}},
        "NewPassword": {"type": "object", "additionalProperties": false, "properties": {"password": {"type": "string"}}},
        "CreatedUser": {"type": "object", "properties": {
            "username": {"type": "string"}, "password": {"type": "string"}, "loginLink": {"type": "string"}}},
        "KeyInfo": {"type": "object", "properties": {
            "accessKeyId": {"type": "string"}, "username": {"type": "string"}, "createdAt": {"type": "integer"}}},
        "NewKey": {"type": "object", "additionalProperties": false, "properties": {"username": {"type": "string"}}},
        "CreatedKey": {"type": "object", "properties": {
            "accessKeyId": {"type": "string"}, "secretAccessKey": {"type": "string"}, "username": {"type": "string"}}},
        "AuditEntry": {"type": "object", "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"},
            "detail": {"type": "string"}, "source": {"type": "string"}, "at": {"type": "integer"}}},
        "Login": {"type": "object", "additionalProperties": false, "required": ["username", "password"], "properties": {
            "username": {"type": "string"}, "password": {"type": "string"}, "accountId": {"type": "integer"}}},
        "SessionInfo": {"type": "object", "properties": {
            "username": {"type": "string"}, "accountId": {"type": "integer"}, "main": {"type": "boolean"},
            "policies": {"type": "array", "items": {"type": "string"}}, "csrfToken": {"type": "string"}}}
    })
}
