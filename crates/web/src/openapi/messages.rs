//! The paths of messages (沟通消息): a demand's or a match's thread, posting with files, editing
//! within ten minutes, read receipts. Part of the one document `super` builds.

use super::*;
use serde_json::{Value, json};

pub(super) fn messages(paths: &mut serde_json::Map<String, Value>) {
    let tag = "messages";
    let post_body = json!({ "content": {
        "application/json": { "schema": r("MessageInput") },
        "multipart/form-data": { "schema": { "type": "object", "required": ["body"], "properties": {
            "demand_id": { "type": "integer", "format": "int64" },
            "match_id": { "type": "integer", "format": "int64" },
            "body": { "type": "string", "maxLength": 5000 },
            "file": { "type": "array", "items": { "type": "string", "format": "binary" },
                      "description": "Files posted with the message (any number of `file` parts): attachments of the message" } } } } } });
    let mut list_params = params::<hezuo_domain::message::MessageFilter>();
    list_params.extend(params::<ListParams>());
    paths.insert("/api/v1/messages".into(), json!({
        "get": { "tags": [tag], "summary": "One thread's messages, oldest first (newest last): `demand_id` or `match_id`. \
                 403 for a thread the caller is not in (an enterprise: its own demands and their matches; an expert: \
                 the threads of demands matched to them and of their own matches; the office and leaders: all; a coordinator: its subtree's)",
                 "operationId": "list_messages", "parameters": list_params,
                 "responses": responses("200", "One page", list_schema("Message"), &["400", "403", "422"]) },
        "post": { "tags": [tag], "summary": "Post a message on a thread one is in (not a leader or a unit), with files if multipart",
                  "operationId": "post_message", "requestBody": post_body,
                  "responses": responses("201", "The message", r("Message"), &["400", "403", "413", "422"]) } }));
    paths.insert(
        "/api/v1/messages/threads".into(),
        json!({ "get": { "tags": [tag],
        "summary": "The threads the caller is in that hold messages, latest first, with how many they have not read",
        "operationId": "list_message_threads",
        "responses": responses("200", "All of them", list_schema("ThreadSummary"), &[]) } }),
    );
    paths.insert("/api/v1/messages/read".into(), json!({ "post": { "tags": [tag],
        "summary": "Mark every message of a thread read by the caller (`demand_id` or `match_id`); a leader's reading leaves no receipt",
        "operationId": "read_message_thread", "requestBody": body("ReadInput"),
        "responses": responses("200", "How many receipts were new", json!({ "type": "object", "properties": { "marked": { "type": "integer" } } }), &["400", "403", "422"]) } }));
    paths.insert("/api/v1/messages/{id}".into(), json!({
        "get": { "tags": [tag], "summary": "One message with its files, who read it and its earlier texts", "operationId": "get_message",
                 "parameters": [id_param("id")], "responses": responses("200", "The message", r("Message"), &["404"]) },
        "patch": { "tags": [tag], "summary": "Edit one's own message within 10 minutes of posting; the text it replaces is kept (`edits`); a body left out \
                   leaves the text as it is. Another's message: 403; after 10 minutes: 409",
                   "operationId": "edit_message", "parameters": [id_param("id")], "requestBody": patch_body("MessageEditInput"),
                   "responses": responses("200", "The message", r("Message"), &["400", "403", "404", "409", "413", "422"]) } }));
    paths.insert(
        "/api/v1/messages/{id}/read".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Mark one message read by the caller (the first reading is kept; leaders read only: 403)",
        "operationId": "read_message", "parameters": [id_param("id")],
        "responses": responses("200", "The message with its receipts", r("Message"), &["403", "404"]) } }),
    );
}
