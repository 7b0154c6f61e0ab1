//! The paths and schemas of enterprise self-registration (`/api/v1/registrations`). Part of the one
//! document `super` builds.

use super::{body, id_param, list_schema, params, r, responses};
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    hezuo_domain::registration::Registration,
    hezuo_domain::registration::RegistrationInput,
    hezuo_domain::registration::RegistrationStatus,
    crate::registrations::Challenge,
    crate::registrations::Filed,
    crate::registrations::CodeInput,
    crate::registrations::Resent,
    crate::registrations::ApproveInput,
    crate::registrations::RejectInput,
)))]
struct Schemas;

/// Adds this module's schemas to the document's.
pub(super) fn schemas(doc: &mut Value) {
    let ours = serde_json::to_value(Schemas::openapi()).unwrap_or_else(|_| json!({}));
    if let (Some(all), Some(mine)) = (
        doc["components"]["schemas"].as_object_mut(),
        ours["components"]["schemas"].as_object(),
    ) {
        for (k, v) in mine {
            all.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    let tag = "registrations";
    paths.insert(
        "/api/v1/registrations/challenge".into(),
        json!({ "get": { "tags": [tag], "security": [],
        "summary": "A proof-of-work challenge for an application (no sign-in): find `pow_nonce` so that SHA-256 of \
                    `challenge:nonce` begins with `bits` zero bits",
        "operationId": "registration_challenge",
        "responses": responses("200", "The challenge", r("Challenge"), &[]) } }),
    );
    paths.insert("/api/v1/registrations".into(), json!({
        "get": { "tags": [tag],
            "summary": "Applications: the office and leaders all, a coordinator those of the counties in their subtree \
                        (others: 403); `status` pending, approved, rejected or all (the default)",
            "operationId": "list_registrations",
            "parameters": params::<crate::registrations::RegistrationFilter>(),
            "responses": responses("200", "A page of applications", list_schema("Registration"), &["400", "403", "422"]) },
        "post": { "tags": [tag], "security": [],
            "summary": "Apply (no sign-in): the enterprise, its account's password and a solved challenge. The credit code \
                        is checked (GB 32100) and must be unused; the county must be the city's. The pending account \
                        (username: the credit code) is signed in (cookie) and emailed a code when mail is configured. \
                        Limited per address (429 with Retry-After)",
            "operationId": "create_registration", "requestBody": body("RegistrationInput"),
            "responses": responses("201", "Filed", r("Filed"), &["400", "409", "422", "429"]) } }));
    paths.insert(
        "/api/v1/registrations/mine".into(),
        json!({ "get": { "tags": [tag],
        "summary": "The signed-in applicant's own application (the only record a pending account reads)",
        "operationId": "my_registration",
        "responses": responses("200", "The application", r("Registration"), &["401", "404"]) } }),
    );
    paths.insert(
        "/api/v1/registrations/mine/verify".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Verify the email with the emailed code (30 minutes; five wrong tries lock it)",
        "operationId": "verify_registration_email", "requestBody": body("CodeInput"),
        "responses": responses("200", "Verified", r("Registration"), &["401", "404", "422"]) } }),
    );
    paths.insert(
        "/api/v1/registrations/mine/resend".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Email a new code (at most one a minute, ten in all)",
        "operationId": "resend_registration_code",
        "responses": responses("200", "What happened", r("Resent"), &["401", "404", "429"]) } }),
    );
    paths.insert(
        "/api/v1/registrations/{id}".into(),
        json!({ "get": { "tags": [tag],
        "summary": "One application", "operationId": "get_registration", "parameters": [id_param("id")],
        "responses": responses("200", "The application", r("Registration"), &["403", "404"]) } }),
    );
    paths.insert("/api/v1/registrations/{id}/approve".into(), json!({ "post": { "tags": [tag],
        "summary": "Approve (the office, or the coordinator of the county): in one transaction the enterprise under its \
                    county, its contact person and the account bound to it as an enterprise. An unverified email needs \
                    `phone_checked`. Decided already: 409",
        "operationId": "approve_registration", "parameters": [id_param("id")], "requestBody": body("ApproveInput"),
        "responses": responses("200", "Approved", r("Registration"), &["403", "404", "409", "422"]) } }));
    paths.insert(
        "/api/v1/registrations/{id}/reject".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Reject with a reason the applicant reads (and is emailed)",
        "operationId": "reject_registration", "parameters": [id_param("id")], "requestBody": body("RejectInput"),
        "responses": responses("200", "Rejected", r("Registration"), &["403", "404", "409", "422"]) } }),
    );
}
