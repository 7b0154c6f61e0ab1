//! The paths and schemas of the annual review (工作会议回顾): the list of years, a year's review
//! with its content, its prose (PUT/PATCH with `If-Match`), issuing it, and the Word document.
//! Part of the one document `super` builds.

use super::{errors, patch_body, r, responses};
use hezuo_domain::annual_review::{AnnualReview, AnnualReviewInput};
use serde_json::{Value, json};
use utoipa::{PartialSchema, ToSchema};

fn year_param() -> Value {
    json!({ "name": "year", "in": "path", "required": true, "description": "The year reviewed, 2000–2100",
        "schema": { "type": "integer", "format": "int32", "minimum": 2000, "maximum": 2100, "example": 2026 } })
}

/// The review's schemas: the record, its prose input, the review with its content, a year of the list.
pub(super) fn schemas(schemas: &mut serde_json::Map<String, Value>) {
    let mut found = Vec::new();
    found.push((AnnualReview::name().into_owned(), AnnualReview::schema()));
    <AnnualReview as ToSchema>::schemas(&mut found);
    found.push((AnnualReviewInput::name().into_owned(), AnnualReviewInput::schema()));
    <AnnualReviewInput as ToSchema>::schemas(&mut found);
    for (name, s) in found {
        schemas
            .entry(name)
            .or_insert_with(|| serde_json::to_value(s).unwrap_or(Value::Null));
    }
    schemas.insert(
        "AnnualReviewWithContent".into(),
        json!({ "description": "A review and what it says: frozen once issued (its SHA-256 is `content_hash`), live figures for a draft",
            "allOf": [r("AnnualReview"), { "type": "object", "required": ["content"], "properties": {
                "content": { "type": "object", "description": "The year's figures beside last year's (`figures`: key, label, unit, this_year, last_year, change, change_percent; money in fen), projects by kind, county and status, five years of projects and money, outcomes and transfers, platforms built, secondments, trainings, meetings and decisions, the units ranked (`best`, `worst`), open problems, and `next_batch` for the conference to approve" } } }] }),
    );
    schemas.insert(
        "AnnualReviewYear".into(),
        json!({ "type": "object", "required": ["year"], "properties": {
            "year": { "type": "integer", "format": "int32" },
            "review": { "description": "The saved or issued review; null for a year never saved", "oneOf": [r("AnnualReview"), { "type": "null" }] } } }),
    );
}

pub(super) fn paths(paths: &mut serde_json::Map<String, Value>) {
    let tag = "annual-review";
    paths.insert(
        "/api/v1/annual-review".into(),
        json!({ "get": { "tags": [tag], "summary": "The years that may be reviewed, newest first, each with its review if saved (coordinators: issued reviews only)",
            "operationId": "list_annual_reviews",
            "responses": responses("200", "The years", json!({ "type": "array", "items": r("AnnualReviewYear") }), &["403"]) } }),
    );
    let update = |op: &str| {
        json!({ "tags": [tag], "summary": "Edit a draft's prose (title, intro, next_year): fields sent replace, fields left out stay; the first save creates the draft (ETag 0 before)",
            "operationId": op, "parameters": [year_param()], "requestBody": patch_body("AnnualReviewInput"),
            "responses": responses("200", "The review", r("AnnualReview"), &["400", "403", "404", "409", "412", "413", "422"]) })
    };
    paths.insert(
        "/api/v1/annual-review/{year}".into(),
        json!({
            "get": { "tags": [tag], "summary": "The year's review with its content (office and leaders: drafts too; coordinators: once issued)",
                "operationId": "get_annual_review", "parameters": [year_param()],
                "responses": responses("200", "The review", r("AnnualReviewWithContent"), &["403", "404"]) },
            "put": update("put_annual_review"), "patch": update("patch_annual_review")
        }),
    );
    paths.insert(
        "/api/v1/annual-review/{year}/issue".into(),
        json!({ "post": { "tags": [tag], "summary": "Issue the review (office): its content is computed, hashed (SHA-256) and frozen; it never changes afterwards and is not issued twice (409)",
            "operationId": "issue_annual_review", "parameters": [year_param()],
            "responses": responses("200", "The issued review", r("AnnualReview"), &["403", "404", "409"]) } }),
    );
    let mut docx = errors(&["403", "404"]);
    docx.insert("200".into(), json!({ "description": "The review as a Word document in the 公文 layout, its charts as PNG pictures",
        "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { "schema": { "type": "string", "format": "binary" } } } }));
    paths.insert(
        "/api/v1/annual-review/{year}/docx".into(),
        json!({ "get": { "tags": [tag], "summary": "Download as Word", "operationId": "annual_review_docx",
            "parameters": [year_param()], "responses": docx } }),
    );
}
