//! The notification centre's paths (issue 18): one's own notifications and preferences. Part of the
//! one document `super` builds.

use super::{errors, id_param, list_schema, patch_body, r, responses};
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    hezuo_domain::notification::Notification,
    hezuo_domain::notification::NotificationKind,
    hezuo_domain::notification::Preferences
)))]
struct NotificationSchemas;

/// Adds the notification centre's paths to `paths` and its schemas to `doc`'s components.
pub(super) fn paths(doc: &mut Value, paths: &mut serde_json::Map<String, Value>) {
    let tag = "notifications";
    let q = |name: &str, desc: &str| json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "string" } });
    let mut list = list_schema("Notification");
    list["properties"]["unread"] =
        json!({ "type": "integer", "description": "How many of the caller's notifications are unread (all kinds)" });
    if let Some(a) = list["required"].as_array_mut() {
        a.push(json!("unread"));
    }
    paths.insert("/api/v1/notifications".into(), json!({ "get": { "tags": [tag],
        "summary": "My notifications, newest first: reminders, review outcomes, new matches, messages, decisions assigned, registrations to review",
        "operationId": "list_notifications",
        "parameters": [q("unread", "`true`: only the unread"), q("kind", "One kind: reminder, review, match, message, decision, registration"),
                       q("page", "Page, from 1"), q("per_page", "Rows per page")],
        "responses": responses("200", "One page, and the number unread", list, &["400", "401", "422"]) } }));
    paths.insert("/api/v1/notifications/{id}/read".into(), json!({ "post": { "tags": [tag],
        "summary": "Mark one of my notifications read (reading again keeps the first time)", "operationId": "read_notification",
        "parameters": [id_param("id")], "responses": responses("200", "The notification", r("Notification"), &["401", "404"]) } }));
    let kind_body = json!({ "required": false, "content": { "application/json": { "schema": { "type": "object",
        "properties": { "kind": r("NotificationKind") } } } } });
    paths.insert("/api/v1/notifications/read-all".into(), json!({ "post": { "tags": [tag],
        "summary": "Mark all my notifications read (of one kind, if given)", "operationId": "read_all_notifications",
        "requestBody": kind_body,
        "responses": responses("200", "How many were unread", json!({ "type": "object", "properties": { "read": { "type": "integer" } } }), &["401", "422"]) } }));
    let mut put = errors(&["401", "422"]);
    put.insert(
        "200".into(),
        json!({ "description": "Saved", "content": { "application/json": { "schema": r("Preferences") } } }),
    );
    paths.insert("/api/v1/notifications/preferences".into(), json!({
        "get": { "tags": [tag], "summary": "My notification preferences", "operationId": "get_notification_preferences",
                 "responses": responses("200", "The preferences", r("Preferences"), &["401"]) },
        "put": { "tags": [tag], "summary": "Set my notification preferences: which kinds are emailed, where, and the hour of the one digest a day",
                 "operationId": "set_notification_preferences", "requestBody": patch_body("NotificationPreferencesInput"),
                 "responses": put } }));
    let extra = serde_json::to_value(NotificationSchemas::openapi()).unwrap_or(Value::Null);
    if let (Some(from), Some(to)) = (
        extra["components"]["schemas"].as_object(),
        doc["components"]["schemas"].as_object_mut(),
    ) {
        for (k, v) in from {
            to.insert(k.clone(), v.clone());
        }
        // What a PUT sends; a field left out stays as it was.
        to.insert("NotificationPreferencesInput".into(), json!({ "type": "object", "properties": {
            "email": { "type": "string", "description": "Where digests go; empty: the email of my person record" },
            "email_kinds": { "type": "array", "items": r("NotificationKind"), "description": "Kinds emailed in the digest" },
            "digest_hour": { "type": "integer", "minimum": 0, "maximum": 23, "description": "The hour of the day's digest, China time (default 8)" } } }));
    }
}
