//! The OpenAPI 3 document of `/api/v1`, generated from the code: schemas come from the record and
//! input types (utoipa derives), query parameters from the filter types, and the paths from the
//! same list of resources that [`crate::resource::routes`] mounts.

use crate::AppState;
use crate::error::ErrorBody;
use axum::Json;
use axum::Router;
use axum::routing::get;
use hezuo_domain::ListParams;
use hezuo_domain::agreement::{Agreement, AgreementFilter, AgreementInput};
use hezuo_domain::attachment::Attachment;
use hezuo_domain::organization::{Organization, OrganizationFilter, OrganizationInput};
use hezuo_domain::person::{Person, PersonFilter, PersonInput};
use hezuo_domain::project::{Milestone, MilestoneInput, Project, ProjectFilter, ProjectInput};
use serde_json::{Value, json};
use utoipa::openapi::path::ParameterIn;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hezuo API",
        description = "市校合作平台 JSON API. Errors: `{\"error\": …, \"fields\": {…}}`; lists: `{\"items\", \"total\", \"page\", \"per_page\"}`."
    ),
    components(schemas(
        Organization,
        OrganizationInput,
        Person,
        PersonInput,
        Agreement,
        AgreementInput,
        Project,
        ProjectInput,
        Milestone,
        MilestoneInput,
        Attachment,
        ErrorBody
    ))
)]
struct Schemas;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(document()) }))
}

fn params<P: IntoParams>() -> Vec<Value> {
    P::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|p| serde_json::to_value(p).unwrap_or(Value::Null))
        .collect()
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "content": { "application/json": { "schema": r(name) } } })
}

fn errors(codes: &[&str]) -> serde_json::Map<String, Value> {
    let text = |c: &str| match c {
        "400" => "Malformed request",
        "404" => "No such record",
        "409" => "Conflicts with an existing record (the field is named)",
        "413" => "Too large",
        "422" => "Invalid input: `fields` names each field and what is wrong",
        _ => "Error",
    };
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({ "description": text(c), "content": { "application/json": { "schema": r("ErrorBody") } } }),
            )
        })
        .collect()
}

fn responses(ok: &str, desc: &str, schema: Value, errs: &[&str]) -> Value {
    let mut m = errors(errs);
    m.insert(
        ok.into(),
        json!({ "description": desc, "content": { "application/json": { "schema": schema } } }),
    );
    Value::Object(m)
}

fn list_schema(item: &str) -> Value {
    json!({ "type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": { "type": "array", "items": r(item) },
        "total": { "type": "integer", "description": "Everything that matched, across pages" },
        "page": { "type": "integer" }, "per_page": { "type": "integer" } } })
}

fn id_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

/// The five operations every record kind has: list, create, get, update (PUT or PATCH), archive/restore.
fn crud(
    paths: &mut serde_json::Map<String, Value>,
    plural: &str,
    tag: &str,
    record: &str,
    input: &str,
    filter: Vec<Value>,
) {
    let mut list_params = filter;
    list_params.extend(params::<ListParams>());
    paths.insert(
        format!("/api/v1/{plural}"),
        json!({
            "get": { "tags": [tag], "summary": format!("List {plural}"), "operationId": format!("list_{plural}"),
                     "parameters": list_params, "responses": responses("200", "One page", list_schema(record), &["400"]) },
            "post": { "tags": [tag], "summary": format!("Create a record in {plural}"), "operationId": format!("create_{plural}"),
                      "requestBody": body(input), "responses": responses("201", "Created", r(record), &["400", "409", "422"]) }
        }),
    );
    let update = json!({ "tags": [tag], "summary": "Update: fields sent replace, fields left out stay",
        "parameters": [id_param("id")], "requestBody": body(input),
        "responses": responses("200", "Updated", r(record), &["400", "404", "409", "422"]) });
    let mut put = update.clone();
    put["operationId"] = json!(format!("put_{plural}"));
    let mut patch = update;
    patch["operationId"] = json!(format!("patch_{plural}"));
    paths.insert(
        format!("/api/v1/{plural}/{{id}}"),
        json!({
            "get": { "tags": [tag], "summary": "Get one", "operationId": format!("get_{plural}"), "parameters": [id_param("id")],
                     "responses": responses("200", "The record", r(record), &["404"]) },
            "put": put, "patch": patch
        }),
    );
    for verb in ["archive", "restore"] {
        paths.insert(
            format!("/api/v1/{plural}/{{id}}/{verb}"),
            json!({ "post": { "tags": [tag], "summary": format!("{verb} (archived records leave lists but are kept)"),
                "operationId": format!("{verb}_{plural}"), "parameters": [id_param("id")],
                "responses": responses("200", "The record", r(record), &["404"]) } }),
        );
    }
}

pub fn document() -> Value {
    let mut doc = serde_json::to_value(Schemas::openapi()).unwrap_or_else(|_| json!({}));
    let mut paths = serde_json::Map::new();
    crud(
        &mut paths,
        "organizations",
        "organizations",
        "Organization",
        "OrganizationInput",
        params::<OrganizationFilter>(),
    );
    crud(
        &mut paths,
        "people",
        "people",
        "Person",
        "PersonInput",
        params::<PersonFilter>(),
    );
    crud(
        &mut paths,
        "agreements",
        "agreements",
        "Agreement",
        "AgreementInput",
        params::<AgreementFilter>(),
    );
    crud(
        &mut paths,
        "projects",
        "projects",
        "Project",
        "ProjectInput",
        params::<ProjectFilter>(),
    );
    let ms = [id_param("id"), id_param("mid")];
    paths.insert(
        "/api/v1/projects/{id}/milestones".into(),
        json!({
            "get": { "tags": ["projects"], "summary": "A project's progress schedule", "operationId": "list_milestones",
                     "parameters": [id_param("id")], "responses": responses("200", "All milestones", list_schema("Milestone"), &["404"]) },
            "post": { "tags": ["projects"], "summary": "Add a milestone (due within the project's dates)", "operationId": "create_milestone",
                      "parameters": [id_param("id")], "requestBody": body("MilestoneInput"),
                      "responses": responses("201", "Created", r("Milestone"), &["400", "404", "422"]) }
        }),
    );
    let mupdate = |op: &str| {
        json!({ "tags": ["projects"], "summary": "Update a milestone", "operationId": op, "parameters": ms,
        "requestBody": body("MilestoneInput"), "responses": responses("200", "Updated", r("Milestone"), &["400", "404", "422"]) })
    };
    paths.insert(
        "/api/v1/projects/{id}/milestones/{mid}".into(),
        json!({
            "get": { "tags": ["projects"], "summary": "One milestone", "operationId": "get_milestone", "parameters": ms,
                     "responses": responses("200", "The milestone", r("Milestone"), &["404"]) },
            "put": mupdate("put_milestone"), "patch": mupdate("patch_milestone")
        }),
    );
    paths.insert(
        "/api/v1/projects/{id}/milestones/{mid}/archive".into(),
        json!({ "post": { "tags": ["projects"], "summary": "Archive a milestone", "operationId": "archive_milestone", "parameters": ms,
                "responses": responses("200", "The milestone", r("Milestone"), &["404"]) } }),
    );
    let upload = json!({ "content": { "multipart/form-data": { "schema": { "type": "object", "required": ["record_kind", "record_id", "file"],
        "properties": { "record_kind": { "type": "string", "enum": ["organization", "person", "agreement", "project", "milestone"] },
                        "record_id": { "type": "integer" }, "file": { "type": "string", "format": "binary" } } } } } });
    paths.insert(
        "/api/v1/attachments".into(),
        json!({
            "get": { "tags": ["attachments"], "summary": "A record's attachments", "operationId": "list_attachments",
                     "parameters": params::<crate::attachments::AttachmentFilter>(),
                     "responses": responses("200", "All attachments", list_schema("Attachment"), &["422"]) },
            "post": { "tags": ["attachments"], "summary": "Upload a file to a record; its type is read from the bytes",
                      "operationId": "upload_attachment", "requestBody": upload,
                      "responses": responses("201", "Stored", r("Attachment"), &["400", "413", "422"]) }
        }),
    );
    paths.insert(
        "/api/v1/attachments/{id}".into(),
        json!({ "get": { "tags": ["attachments"], "summary": "An attachment's metadata", "operationId": "get_attachment",
                "parameters": [id_param("id")], "responses": responses("200", "Metadata", r("Attachment"), &["404"]) } }),
    );
    let mut content = errors(&["404"]);
    content.insert("200".into(), json!({ "description": "The file, with its sniffed type", "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } }));
    paths.insert(
        "/api/v1/attachments/{id}/content".into(),
        json!({ "get": { "tags": ["attachments"], "summary": "Download the file", "operationId": "download_attachment",
                "parameters": [id_param("id")], "responses": content } }),
    );
    let mut gone = errors(&["404"]);
    gone.insert("204".into(), json!({ "description": "Archived" }));
    paths.insert(
        "/api/v1/attachments/{id}/archive".into(),
        json!({ "post": { "tags": ["attachments"], "summary": "Archive an attachment", "operationId": "archive_attachment",
                "parameters": [id_param("id")], "responses": gone } }),
    );
    doc["openapi"] = json!("3.1.0");
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    doc["paths"] = Value::Object(paths);
    doc
}
