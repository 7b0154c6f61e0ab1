//! The OpenAPI 3 document of `/api/v1`, generated from the code: schemas come from the record and
//! input types (utoipa derives), query parameters from the filter types, and the paths from the
//! same list of resources that [`crate::resource::routes`] mounts.
//!
//! One file because it is one document: the paths, their parameters and their answers are read
//! together when the API changes (most of its length is the per-path table, not logic).

use crate::error::ErrorBody;
use crate::routing::RouteExt;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::routing::get;
use hezuo_domain::ListParams;
use hezuo_domain::access::Role;
use hezuo_domain::agreement::{Agreement, AgreementFilter, AgreementInput};
use hezuo_domain::attachment::Attachment;
use hezuo_domain::bulletin::{Bulletin, BulletinInput};
use hezuo_domain::organization::{Organization, OrganizationFilter, OrganizationInput};
use hezuo_domain::person::{Person, PersonFilter, PersonInput};
use hezuo_domain::problem::{CommentInput, Problem, ProblemComment, ProblemFilter, ProblemInput};
use hezuo_domain::project::{Milestone, MilestoneInput, Project, ProjectFilter, ProjectInput};
use hezuo_domain::supervision::{Batch, BatchInput, ProgressReport, ReportInput};
use serde_json::{Value, json};
use utoipa::openapi::path::ParameterIn;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hezuo API",
        description = "市校合作平台 JSON API.\n\n\
- Errors: `{\"error\": …, \"fields\": {…}}`; a 422 names in `fields` each field that is missing or wrong. \
A blank text counts as missing, and so does `null`.\n\
- Lists: `{\"items\", \"total\", \"page\", \"per_page\"}`; a bad `page`, `per_page`, `sort` or filter is a 422 naming it.\n\
- Bodies: the `required` fields of an input schema are those a create (POST) must carry. \
PATCH and PUT take the `…Patch` schemas, where nothing is required: the fields sent replace, the rest stay. \
Numbers may also be sent as strings (HTML forms post the same fields); money in 万元 is a decimal string, kept exact.\n\
- Concurrency: GET of one record answers an `ETag`; PATCH, PUT, archive and restore with `If-Match: <that ETag>` are done only \
if the record is still at that version, and answer 412 otherwise (`*` or no `If-Match`: no condition).\n\
- Retries: a POST with an `Idempotency-Key` header (1–255 characters) is done once; sent again with the same key, \
the first answer is replayed (marked `Idempotent-Replayed: true`) for 24 hours. The same key with another request \
is a 422; while the first is still being handled, a 409 with `Retry-After`.\n\
- A body over the server's limit is a 413."
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
        ErrorBody,
        Batch,
        BatchInput,
        ProgressReport,
        ReportInput,
        Problem,
        ProblemInput,
        ProblemComment,
        CommentInput,
        Bulletin,
        BulletinInput,
        Role,
        hezuo_domain::campaign::Campaign,
        hezuo_domain::campaign::CampaignInput,
        hezuo_domain::campaign::Coverage,
        hezuo_domain::demand::Demand,
        hezuo_domain::demand::DemandInput,
        hezuo_domain::demand::DemandReview,
        hezuo_domain::demand::ReviewInput,
        hezuo_domain::demand::ServiceLevel,
        hezuo_domain::error::RowError,
        hezuo_domain::research_result::ResearchResult,
        hezuo_domain::research_result::ResultInput,
        hezuo_domain::expert_work::ExpertWork,
        hezuo_domain::expert_work::WorkInput,
        hezuo_app::demands::Duplicate,
        crate::demands::StepInput,
        crate::demands::MergeInput,
        hezuo_app::demands::ImportReport,
        crate::search::SearchAnswer,
        crate::search::SearchItem,
        crate::search::Fragment,
        crate::search::FacetCount,
        crate::search::SearchFacets,
        crate::matches::Suggestions,
        crate::closed_loop::FunnelAnswer,
        crate::closed_loop::FunnelStep,
        crate::closed_loop::LoopAnswer,
        crate::closed_loop::LoopStepAnswer,
        crate::closed_loop::LoopItemAnswer,
        crate::closed_loop::WaitingDemandItem,
        crate::matches::ExpertSuggestion,
        crate::matches::ResultSuggestion,
        hezuo_domain::matching::Match,
        hezuo_domain::matching::MatchStatusInput,
        hezuo_domain::matching::ConfirmInput,
        hezuo_domain::platform::Platform,
        hezuo_domain::platform::PlatformInput,
        hezuo_domain::platform::PlatformKind,
        hezuo_domain::platform::PlatformLevel,
        hezuo_domain::platform::PlatformStatus,
        hezuo_domain::platform::EvaluationGrade,
        hezuo_domain::platform::PlatformPerson,
        hezuo_domain::platform::StationInput,
        hezuo_domain::platform::PlatformEvaluation,
        hezuo_domain::platform::EvaluationInput,
        hezuo_domain::platform::CountRow,
        crate::platforms::Counts,
        hezuo_domain::outcome::Outcome,
        hezuo_domain::outcome::OutcomeInput,
        hezuo_domain::outcome::OutcomeTotal,
        crate::outcomes::ReturnInput,
        hezuo_domain::event::Event,
        hezuo_domain::event::EventInput,
        hezuo_domain::event::EventKind,
        hezuo_domain::event::Decision,
        hezuo_domain::event::DecisionInput,
        hezuo_domain::event::DecisionStatus,
        hezuo_domain::event::ProgressInput,
        crate::events::HandedToProject,
        crate::events::HandedToProblem,
        hezuo_domain::training::Training,
        hezuo_domain::training::TrainingInput,
        hezuo_domain::training::TrainingKind,
        hezuo_domain::training::TrainingStatus,
        hezuo_domain::training::Participant,
        hezuo_domain::training::ParticipantInput,
        hezuo_domain::training::TrainedCount,
        crate::trainings::TrainedCounts,
        crate::trainings::ImportAnswer,
        crate::trainings::AttendanceInput,
        hezuo_domain::chief_expert::ChiefExpert,
        hezuo_domain::chief_expert::ChiefExpertInput,
        hezuo_domain::chief_expert::ChiefField,
        hezuo_domain::chief_expert::ChiefStatus,
        hezuo_domain::chief_expert::ServiceKind,
        hezuo_domain::chief_expert::ServiceLog,
        hezuo_domain::chief_expert::ServiceLogInput,
        hezuo_domain::chief_expert::ServiceTally,
        hezuo_domain::chief_expert::MatchedDemand,
        hezuo_domain::secondment::Secondment,
        hezuo_domain::secondment::SecondmentInput,
        hezuo_domain::secondment::Direction,
        hezuo_domain::secondment::SecondmentStatus,
        hezuo_domain::secondment::AppraisalGrade,
        hezuo_domain::secondment::StatusInput,
        hezuo_domain::secondment::AppraisalInput,
        hezuo_domain::secondment::SecondmentReport,
        hezuo_domain::secondment::SecondmentReportInput,
        crate::secondments::SecondmentCounts,
        crate::secondments::PeriodRow,
        hezuo_domain::group::Group,
        hezuo_domain::group::GroupInput,
        hezuo_domain::group::GroupKind,
        hezuo_domain::group::GroupMember,
        hezuo_domain::group::MemberInput,
        hezuo_domain::group::EndTermInput,
        hezuo_domain::group::Roster,
        hezuo_domain::group::RosterBody
    ))
)]
struct Schemas;

pub fn router() -> Router<AppState> {
    Router::new().at("/api/v1/openapi.json", get(|| async { Json(document()) }))
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

/// The body of a PATCH or PUT: `{input}Patch`, the input without its required fields (see [`patches`]).
fn patch_body(input: &str) -> Value {
    body(&format!("{input}{PATCH}"))
}

/// The suffix of the schemas PATCH and PUT take.
const PATCH: &str = "Patch";

fn errors(codes: &[&str]) -> serde_json::Map<String, Value> {
    let text = |c: &str| match c {
        "400" => "Malformed request",
        "401" => "Not signed in (at sign-in: a wrong name or password)",
        "403" => "The caller's role may not do this",
        "404" => "No such record",
        "409" => "Conflicts with an existing record (the field is named)",
        "412" => "The record changed since the `If-Match` ETag was read: nothing was written; read it again",
        "413" => "The body is over the server's limit",
        "422" => "Invalid input: `fields` names each field and what is wrong",
        "429" => "Too many attempts: try again later",
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
                     "parameters": list_params, "responses": responses("200", "One page", list_schema(record), &["400", "422"]) },
            "post": { "tags": [tag], "summary": format!("Create a record in {plural}"), "operationId": format!("create_{plural}"),
                      "requestBody": body(input), "responses": responses("201", "Created", r(record), &["400", "409", "413", "422"]) }
        }),
    );
    let update = json!({ "tags": [tag], "summary": "Update: fields sent replace, fields left out stay",
        "parameters": [id_param("id")], "requestBody": patch_body(input),
        "responses": responses("200", "Updated", r(record), &["400", "404", "409", "412", "413", "422"]) });
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

fn with_object(ok: &str, desc: &str, errs: &[&str]) -> Value {
    let mut m = errors(errs);
    m.insert(
        ok.into(),
        json!({ "description": desc, "content": { "application/json": { "schema": { "type": "object" } } } }),
    );
    Value::Object(m)
}

/// Batches, progress reports, problems, bulletins and the board.
fn supervision(paths: &mut serde_json::Map<String, Value>) {
    crud(
        paths,
        "problems",
        "supervision",
        "Problem",
        "ProblemInput",
        params::<ProblemFilter>(),
    );
    let tag = "supervision";
    let comment_body = json!({ "content": {
        "application/json": { "schema": r("CommentInput") },
        "multipart/form-data": { "schema": { "type": "object", "required": ["body"], "properties": {
            "body": { "type": "string", "maxLength": 5000 },
            "file": { "type": "array", "items": { "type": "string", "format": "binary" },
                      "description": "Files posted with the comment (any number of `file` parts): kept as the problem's attachments" } } } } } });
    paths.insert("/api/v1/problems/{id}/comments".into(), json!({
        "get": { "tags": [tag], "summary": "The problem's comments, oldest first, each with its files", "operationId": "list_problem_comments",
                 "parameters": [id_param("id")], "responses": responses("200", "The whole thread", list_schema("ProblemComment"), &["404"]) },
        "post": { "tags": [tag], "summary": "Comment on a problem one can see, with files if multipart (not the leader)",
                  "operationId": "comment_on_problem", "parameters": [id_param("id")], "requestBody": comment_body,
                  "responses": responses("201", "The comment", r("ProblemComment"), &["400", "403", "404", "413", "422"]) } }));
    let upd = |op: &str| {
        json!({ "tags": [tag], "summary": "Change a batch's title, cadence or report day", "operationId": op,
        "parameters": [id_param("id")], "requestBody": patch_body("BatchInput"), "responses": responses("200", "The batch", r("Batch"), &["400", "403", "404", "412", "413", "422"]) })
    };
    paths.insert("/api/v1/batches".into(), json!({
        "get": { "tags": [tag], "summary": "The year's project lists, newest first", "operationId": "list_batches",
                 "parameters": params::<ListParams>(), "responses": responses("200", "One page", list_schema("Batch"), &["400", "422"]) },
        "post": { "tags": [tag], "summary": "Create a batch (office only)", "operationId": "create_batch", "requestBody": body("BatchInput"),
                  "responses": responses("201", "Created", r("Batch"), &["400", "403", "413", "422"]) } }));
    paths.insert(
        "/api/v1/batches/{id}".into(),
        json!({
        "get": { "tags": [tag], "summary": "One batch", "operationId": "get_batch", "parameters": [id_param("id")],
                 "responses": responses("200", "The batch", r("Batch"), &["404"]) },
        "put": upd("put_batch"), "patch": upd("patch_batch") }),
    );
    paths.insert("/api/v1/batches/{id}/approve".into(), json!({ "post": { "tags": [tag],
        "summary": "Approve the batch: its planned projects become approved together (office only)", "operationId": "approve_batch",
        "parameters": [id_param("id")], "responses": responses("200", "The approved batch", r("Batch"), &["403", "404", "422"]) } }));
    paths.insert("/api/v1/projects/{id}/reports".into(), json!({
        "get": { "tags": [tag], "summary": "Every version of the project's progress reports", "operationId": "list_project_reports",
                 "parameters": [id_param("id")], "responses": responses("200", "All versions", list_schema("ProgressReport"), &["404"]) },
        "post": { "tags": [tag], "summary": "File a report for a period, or amend it (a new version) until accepted; late ones are marked late",
                  "operationId": "file_report", "parameters": [id_param("id")], "requestBody": body("ReportInput"),
                  "responses": responses("201", "Filed", r("ProgressReport"), &["400", "403", "404", "409", "413", "422"]) } }));
    paths.insert("/api/v1/reports/{id}".into(), json!({ "get": { "tags": [tag], "summary": "One version of a report",
        "operationId": "get_report", "parameters": [id_param("id")], "responses": responses("200", "The report", r("ProgressReport"), &["404"]) } }));
    paths.insert("/api/v1/reports/{id}/accept".into(), json!({ "post": { "tags": [tag], "summary": "Accept the latest version (office only); it is frozen",
        "operationId": "accept_report", "parameters": [id_param("id")], "responses": responses("200", "Accepted", r("ProgressReport"), &["403", "404", "409"]) } }));
    let bupd = |op: &str| {
        json!({ "tags": [tag], "summary": "Edit a draft's prose: `title`, `intro`, `closing` (an issued bulletin answers 409)", "operationId": op,
        "parameters": [id_param("id")], "requestBody": patch_body("BulletinInput"),
        "responses": responses("200", "The draft", r("Bulletin"), &["400", "403", "404", "409", "412", "413", "422"]) })
    };
    paths.insert("/api/v1/bulletins".into(), json!({
        "get": { "tags": [tag], "summary": "Bulletins, newest first (drafts for the office only)", "operationId": "list_bulletins",
                 "parameters": params::<ListParams>(), "responses": responses("200", "One page", list_schema("Bulletin"), &["400", "422"]) },
        "post": { "tags": [tag], "summary": "Draft a bulletin for a batch and period (office only); its prose is generated",
                  "operationId": "create_bulletin", "requestBody": body("BulletinInput"),
                  "responses": responses("201", "The draft", r("Bulletin"), &["400", "403", "413", "422"]) } }));
    paths.insert("/api/v1/bulletins/{id}".into(), json!({
        "get": { "tags": [tag], "summary": "A bulletin with its content (live for a draft, frozen once issued)", "operationId": "get_bulletin",
                 "parameters": [id_param("id")], "responses": with_object("200", "The bulletin and its content", &["404"]) },
        "put": bupd("put_bulletin"), "patch": bupd("patch_bulletin") }));
    paths.insert("/api/v1/bulletins/{id}/issue".into(), json!({ "post": { "tags": [tag],
        "summary": "Issue: numbered 〔year〕n号, content frozen with its SHA-256 (office only)", "operationId": "issue_bulletin",
        "parameters": [id_param("id")], "responses": responses("200", "The issued bulletin", r("Bulletin"), &["403", "404", "409"]) } }));
    let mut docx = errors(&["404"]);
    docx.insert("200".into(), json!({ "description": "The bulletin as a Word document (GB/T 9704 layout)",
        "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { "schema": { "type": "string", "format": "binary" } } } }));
    paths.insert(
        "/api/v1/bulletins/{id}/docx".into(),
        json!({ "get": { "tags": [tag], "summary": "Download as Word",
        "operationId": "bulletin_docx", "parameters": [id_param("id")], "responses": docx } }),
    );
    paths.insert("/api/v1/board".into(), json!({ "get": { "tags": [tag], "summary": "Flags of the projects being carried out, by lead unit and county, within the caller's scope",
        "operationId": "board", "responses": { "200": { "description": "The board", "content": { "application/json": { "schema": { "type": "object" } } } } } } }));
}

/// Sign-in, one's own tokens, the office's accounts and the audit log.
fn accounts(paths: &mut serde_json::Map<String, Value>) {
    let obj = |desc: &str| json!({ "description": desc, "content": { "application/json": { "schema": { "type": "object" } } } });
    let with = |ok: &str, desc: &str, errs: &[&str]| {
        let mut m = errors(errs);
        m.insert(ok.into(), obj(desc));
        Value::Object(m)
    };
    let login_body = json!({ "content": { "application/json": { "schema": { "type": "object", "required": ["username", "password"],
        "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } });
    paths.insert("/api/v1/auth/login".into(), json!({ "post": { "tags": ["auth"], "summary": "Sign in: sets the session cookie, returns the user and its CSRF token",
        "operationId": "login", "security": [], "requestBody": login_body, "responses": with("200", "Signed in", &["400", "401", "429"]) } }));
    paths.insert(
        "/api/v1/auth/logout".into(),
        json!({ "post": { "tags": ["auth"], "summary": "End the session", "operationId": "logout",
        "responses": { "204": { "description": "Signed out" } } } }),
    );
    paths.insert(
        "/api/v1/me".into(),
        json!({ "get": { "tags": ["auth"], "summary": "The signed-in user", "operationId": "me",
        "responses": with("200", "The user", &["401"]) } }),
    );
    let token_body = json!({ "content": { "application/json": { "schema": { "type": "object", "required": ["name"],
        "properties": { "name": { "type": "string", "maxLength": 100 },
                        "expires_at": { "description": "When it stops working, in the future: an RFC 3339 time, or a date (the end of that day in China)",
                                        "anyOf": [ { "type": "string", "format": "date-time" }, { "type": "string", "format": "date" } ] } } } } } });
    paths.insert("/api/v1/tokens".into(), json!({
        "get": { "tags": ["auth"], "summary": "My API tokens (never their secrets), all on one page", "operationId": "list_tokens",
                 "responses": responses("200", "Tokens", list_schema("ApiToken"), &["401"]) },
        "post": { "tags": ["auth"], "summary": "Create an API token; `token` is shown this once", "operationId": "create_token",
                  "requestBody": token_body, "responses": with("201", "Created", &["401", "403", "413", "422"]) } }));
    paths.insert("/api/v1/tokens/{id}/revoke".into(), json!({ "post": { "tags": ["auth"], "summary": "Revoke one of my tokens",
        "operationId": "revoke_token", "parameters": [id_param("id")], "responses": { "204": { "description": "Revoked" }, "404": { "description": "No such token of yours" } } } }));
    let user_body = json!({ "content": { "application/json": { "schema": { "type": "object", "required": ["username", "role"],
        "properties": { "username": { "type": "string", "maxLength": 50 }, "role": r("Role"),
                        "organization_id": { "type": "integer", "format": "int64", "minimum": 1,
                                             "description": "The account's organisation; required for a coordinator, unit or enterprise" },
                        "person_id": { "type": "integer", "format": "int64", "minimum": 1, "description": "The account's person; required for an expert" } } } } } });
    paths.insert("/api/v1/users".into(), json!({
        "get": { "tags": ["users"], "summary": "All accounts (office only), all on one page", "operationId": "list_users",
                 "responses": responses("200", "Users", list_schema("User"), &["403"]) },
        "post": { "tags": ["users"], "summary": "Add an account; answers its one-time password (office only)", "operationId": "create_user",
                  "requestBody": user_body, "responses": with("201", "Created", &["403", "409", "413", "422"]) } }));
    paths.insert("/api/v1/users/{id}/reset-password".into(), json!({ "post": { "tags": ["users"], "summary": "A new one-time password; ends the user's sessions",
        "operationId": "reset_password", "parameters": [id_param("id")], "responses": with("200", "The new one-time password", &["403", "404"]) } }));
    let audit_params: Vec<Value> = ["record_kind", "record_id", "user_id", "action", "from", "to"]
        .iter()
        .map(|n| json!({ "name": n, "in": "query", "required": false, "schema": { "type": "string" } }))
        .chain(params::<ListParams>())
        .collect();
    paths.insert("/api/v1/audit".into(), json!({ "get": { "tags": ["audit"], "summary": "The audit log, newest first, within the caller's scope (read-only)",
        "operationId": "list_audit", "parameters": audit_params, "responses": with("200", "One page of entries", &["400", "422"]) } }));
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
                      "responses": responses("201", "Created", r("Milestone"), &["400", "404", "413", "422"]) }
        }),
    );
    let mupdate = |op: &str| {
        json!({ "tags": ["projects"], "summary": "Update a milestone", "operationId": op, "parameters": ms,
        "requestBody": patch_body("MilestoneInput"), "responses": responses("200", "Updated", r("Milestone"), &["400", "404", "412", "413", "422"]) })
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
    accounts(&mut paths);
    supervision(&mut paths);
    records(&mut paths);
    platforms(&mut paths);
    demands_and_search(&mut paths);
    outcomes(&mut paths);
    events(&mut paths);
    trainings(&mut paths);
    chief_experts(&mut paths);
    secondments(&mut paths);
    groups(&mut paths);
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from POST /api/v1/tokens; it acts with its user's role and scope." },
        "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE,
                     "description": "The session from POST /api/v1/auth/login; state-changing requests also send X-CSRF-Token." }
    });
    doc["security"] = json!([{ "bearer": [] }, { "session": [] }]);
    doc["openapi"] = json!("3.1.0");
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    annotate(&mut paths);
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        amend(schemas);
        patches(schemas, &paths);
    }
    doc["paths"] = Value::Object(paths);
    doc
}

/// What the derives cannot say: a required field is not nullable either (`null` is missing, a
/// 422), and has no default; exactly one of a confirmation's ids; the numbers and the choices of
/// the workflow's inputs; the records the account lists answer.
fn amend(schemas: &mut serde_json::Map<String, Value>) {
    for s in schemas.values_mut() {
        let required: Vec<String> = s["required"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, p) in props.iter_mut() {
            let Some(p) = p.as_object_mut() else { continue };
            // The derive puts a nullable reference's description on the reference, where tools do
            // not show it.
            if let Some(Value::Array(alts)) = p.get_mut("oneOf") {
                let found = alts.iter_mut().find_map(|a| a.as_object_mut()?.remove("description"));
                if let Some(d) = found {
                    p.entry("description").or_insert(d);
                }
            }
            if required.contains(name) {
                not_null(p);
            }
        }
    }
    if let Some(c) = schemas.get_mut("ConfirmInput") {
        c["oneOf"] = json!([{ "required": ["person_id"] }, { "required": ["result_id"] }]);
    }
    if let Some(st) = schemas.get_mut("StepInput") {
        st["required"] = json!(["action"]);
        st["properties"]["action"] = json!({ "type": "string", "enum": ["start_matching", "mark_matched", "project", "close"],
            "description": st["properties"]["action"]["description"].clone() });
        st["properties"]["project_id"] = json!({ "type": ["integer", "null"], "format": "int64", "minimum": 1,
            "description": "The project the demand became; required when `action` is `project`" });
        st["properties"]["comment"] = json!({ "type": ["string", "null"],
            "description": "Why; required when `action` is `close` (at most 2000 characters are kept)" });
    }
    if let Some(m) = schemas.get_mut("MergeInput") {
        m["required"] = json!(["into"]);
        m["properties"]["into"] = json!({ "type": "integer", "format": "int64", "minimum": 1,
            "description": m["properties"]["into"]["description"].clone() });
    }
    let time = json!({ "type": "string", "format": "date-time" });
    let maybe_time = json!({ "type": ["string", "null"], "format": "date-time" });
    schemas.insert(
        "ApiToken".into(),
        json!({ "type": "object", "description": "An API token as its owner sees it (never its secret)",
        "required": ["id", "name", "expires_at", "revoked_at", "created_at"],
        "properties": { "id": { "type": "integer", "format": "int64" }, "name": { "type": "string" },
                        "expires_at": maybe_time, "revoked_at": maybe_time, "created_at": time } }),
    );
    schemas.insert("User".into(), json!({ "type": "object", "description": "An account",
        "required": ["id", "username", "role", "organization_id", "person_id", "must_change_password", "disabled", "created_at"],
        "properties": { "id": { "type": "integer", "format": "int64" }, "username": { "type": "string" }, "role": r("Role"),
                        "organization_id": { "type": ["integer", "null"], "format": "int64" },
                        "person_id": { "type": ["integer", "null"], "format": "int64" },
                        "must_change_password": { "type": "boolean" }, "disabled": { "type": "boolean" }, "created_at": time } }));
}

/// A property without its `null`: `["integer", "null"]` becomes `"integer"`, `oneOf: [X, null]` becomes X.
fn not_null(p: &mut serde_json::Map<String, Value>) {
    p.remove("default");
    if let Some(Value::Array(types)) = p.get("type") {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        p.insert(
            "type".into(),
            match kept.as_slice() {
                [one] => one.clone(),
                _ => Value::Array(kept),
            },
        );
    }
    if let Some(Value::Array(alts)) = p.get("oneOf") {
        let kept: Vec<Value> = alts.iter().filter(|a| a["type"] != "null").cloned().collect();
        if let [Value::Object(only)] = kept.as_slice() {
            p.remove("oneOf");
            for (k, v) in only {
                p.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// `XPatch` for every `X` a PATCH or PUT body names: X with nothing required and no defaults, for
/// a field left out keeps its value.
fn patches(schemas: &mut serde_json::Map<String, Value>, paths: &serde_json::Map<String, Value>) {
    let mut names: Vec<String> = paths
        .values()
        .flat_map(|item| {
            ["put", "patch"]
                .map(|verb| item[verb]["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone())
        })
        .filter_map(|r| {
            r.as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_string)
        })
        .filter(|n| n.ends_with(PATCH))
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let Some(mut s) = schemas.get(name.trim_end_matches(PATCH)).cloned() else {
            continue;
        };
        if let Some(o) = s.as_object_mut() {
            o.remove("required");
            for p in o
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .into_iter()
                .flat_map(|p| p.values_mut())
            {
                if let Some(p) = p.as_object_mut() {
                    p.remove("default");
                }
            }
            let what = o
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            o.insert("description".into(), json!(format!(
                "{what}{}For PATCH and PUT: nothing is required; the fields sent replace, the fields left out stay.",
                if what.is_empty() { "" } else { "\n\n" }
            )));
        }
        schemas.insert(name, s);
    }
}

/// What every operation of a kind shares: a POST may carry an `Idempotency-Key`; PATCH and PUT
/// honour `If-Match` and answer the new ETag; GET of a record that can be updated answers its
/// ETag; a body may be too large; a list refuses a bad page, sort or filter.
fn annotate(paths: &mut serde_json::Map<String, Value>) {
    let etag = json!({ "ETag": { "description": "The record's version: send it back in `If-Match` to update only that version",
        "schema": { "type": "string", "example": "\"7\"" } } });
    let idempotency_key = json!({ "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Makes the POST safe to send again: with the same key, the first answer is replayed for 24 hours \
            (marked `Idempotent-Replayed: true`) instead of doing it twice; the same key with another request is a 422",
        "schema": { "type": "string", "minLength": 1, "maxLength": 255 } });
    let if_match = json!({ "name": "If-Match", "in": "header", "required": false,
        "description": "The ETag read: the update is done only if the record is still at that version (412 otherwise); `*` or none: no condition",
        "schema": { "type": "string", "example": "\"7\"" } });
    let retry_after = json!({ "Retry-After": { "description": "Seconds to wait before sending the same request again",
        "schema": { "type": "integer" } } });
    for (path, item) in paths.iter_mut() {
        let archiving = path.ends_with("/archive") || path.ends_with("/restore");
        let updatable = item.get("put").is_some() || item.get("patch").is_some();
        let Some(ops) = item.as_object_mut() else { continue };
        for (verb, op) in ops.iter_mut() {
            let is_login = op["operationId"] == "login";
            let has_body = op.get("requestBody").is_some();
            let is_list = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "page"));
            // (status, what it also means here, what it means when it is the only reason)
            let mut more: Vec<(&str, &str, &str)> = Vec::new();
            let mut headers = Vec::new();
            match verb.as_str() {
                "post" if !is_login => {
                    headers.push(idempotency_key.clone());
                    if archiving {
                        headers.push(if_match.clone());
                        more.push(("412", "", ""));
                    }
                    more.push((
                        "400",
                        "or an `Idempotency-Key` that is not 1–255 characters",
                        "Malformed request, e.g. an `Idempotency-Key` that is not 1–255 characters",
                    ));
                    more.push((
                        "409",
                        "or the same `Idempotency-Key` is still being handled: send it again after `Retry-After` seconds",
                        "The same `Idempotency-Key` is still being handled: send it again after `Retry-After` seconds",
                    ));
                    more.push((
                        "422",
                        "or the `Idempotency-Key` was already used for another request",
                        "The `Idempotency-Key` was already used for another request",
                    ));
                }
                "put" | "patch" => {
                    headers.push(if_match.clone());
                    more.push(("412", "", ""));
                }
                "get" if is_list => more.push((
                    "422",
                    "a bad `page`, `per_page`, `sort` or filter is named in `fields`",
                    "A bad `page`, `per_page`, `sort` or filter: `fields` names it",
                )),
                _ => {}
            }
            if has_body {
                more.push(("413", "", ""));
            }
            for h in headers {
                match op["parameters"].as_array_mut() {
                    Some(ps) => ps.push(h),
                    None => op["parameters"] = json!([h]),
                }
            }
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            for (code, also, alone) in more {
                match responses.get_mut(code) {
                    Some(res) if !also.is_empty() => {
                        let d = res["description"].as_str().unwrap_or_default().to_string();
                        res["description"] = json!(format!("{d}; {also}"));
                    }
                    Some(_) => {}
                    None => {
                        let mut e = errors(&[code]);
                        if !alone.is_empty() {
                            e[code]["description"] = json!(alone);
                        }
                        responses.extend(e);
                    }
                }
            }
            if verb == "post"
                && !is_login
                && let Some(res) = responses.get_mut("409")
            {
                res["headers"] = retry_after.clone();
            }
            if ((verb == "get" && updatable) || verb == "put" || verb == "patch")
                && let Some(ok) = responses.get_mut("200")
            {
                ok["headers"] = etag.clone();
            }
        }
    }
}

/// Innovation platforms: the record, its counts, the people stationed there and its yearly evaluations.
fn platforms(paths: &mut serde_json::Map<String, Value>) {
    let tag = "platforms";
    crud(
        paths,
        "platforms",
        tag,
        "Platform",
        "PlatformInput",
        params::<hezuo_domain::platform::PlatformFilter>(),
    );
    paths.insert("/api/v1/platforms/counts".into(), json!({ "get": { "tags": [tag],
        "summary": "Non-archived platforms in the caller's scope counted by `by`: kind, level, county (of each host: a platform \
                    with hosts in two counties counts once in each) or college (each college or university with a host in its subtree)",
        "operationId": "count_platforms", "parameters": params::<crate::platforms::CountsQuery>(),
        "responses": responses("200", "The counts, largest first", r("Counts"), &["422"]) } }));
    paths.insert("/api/v1/platforms/{id}/people".into(), json!({
        "get": { "tags": [tag], "summary": "The people stationed at the platform", "operationId": "list_platform_people",
                 "parameters": [id_param("id")], "responses": responses("200", "All of them", list_schema("PlatformPerson"), &["404"]) },
        "post": { "tags": [tag], "summary": "Station a person there (again: replaces the role and dates); whoever may edit the platform",
                  "operationId": "station_person", "parameters": [id_param("id")], "requestBody": body("StationInput"),
                  "responses": responses("201", "Stationed", r("PlatformPerson"), &["400", "403", "404", "413", "422"]) } }));
    paths.insert("/api/v1/platforms/{id}/people/{mid}/remove".into(), json!({ "post": { "tags": [tag],
        "summary": "Take a person off the platform", "operationId": "unstation_person", "parameters": [id_param("id"), id_param("mid")],
        "responses": { "204": { "description": "Removed" }, "403": { "description": "The caller may not edit this platform" },
                       "404": { "description": "No such platform, or the person is not stationed there" } } } }));
    paths.insert("/api/v1/platforms/{id}/evaluations".into(), json!({
        "get": { "tags": [tag], "summary": "The platform's yearly evaluations, latest first (files: attachments of kind platform_evaluation)",
                 "operationId": "list_platform_evaluations", "parameters": [id_param("id")],
                 "responses": responses("200", "All of them", list_schema("PlatformEvaluation"), &["404"]) },
        "post": { "tags": [tag], "summary": "Record the evaluation of a year (office only; one per year: a second is a 409 naming `year`)",
                  "operationId": "create_platform_evaluation", "parameters": [id_param("id")], "requestBody": body("EvaluationInput"),
                  "responses": responses("201", "Recorded", r("PlatformEvaluation"), &["400", "403", "404", "409", "413", "422"]) } }));
    let eids = [id_param("id"), id_param("mid")];
    let upd = |op: &str| {
        json!({ "tags": [tag], "summary": "Update an evaluation (office only)", "operationId": op, "parameters": eids,
        "requestBody": patch_body("EvaluationInput"),
        "responses": responses("200", "Updated", r("PlatformEvaluation"), &["400", "403", "404", "409", "412", "413", "422"]) })
    };
    paths.insert("/api/v1/platforms/{id}/evaluations/{mid}".into(), json!({
        "get": { "tags": [tag], "summary": "One evaluation", "operationId": "get_platform_evaluation", "parameters": eids,
                 "responses": responses("200", "The evaluation", r("PlatformEvaluation"), &["404"]) },
        "put": upd("put_platform_evaluation"), "patch": upd("patch_platform_evaluation") }));
}

/// Campaigns, research results and experts' papers and patents.
fn records(paths: &mut serde_json::Map<String, Value>) {
    crud(
        paths,
        "campaigns",
        "demands",
        "Campaign",
        "CampaignInput",
        params::<hezuo_domain::campaign::CampaignFilter>(),
    );
    let coverage = json!({ "type": "object", "required": ["county", "industry"], "properties": {
        "county": { "type": "array", "items": r("Coverage"),
                    "description": "Every target county (and any other the demands came from), with the quota" },
        "industry": { "type": "array", "items": r("Coverage") } } });
    paths.insert(
        "/api/v1/campaigns/{id}/coverage".into(),
        json!({ "get": { "tags": ["demands"],
            "summary": "Demands collected in the campaign (submitted or later) per county and per industry, against the quota per county",
            "operationId": "campaign_coverage", "parameters": [id_param("id")],
            "responses": responses("200", "Coverage by county and by industry", coverage, &["404"]) } }),
    );
    crud(
        paths,
        "results",
        "results",
        "ResearchResult",
        "ResultInput",
        params::<hezuo_domain::research_result::ResultFilter>(),
    );
    crud(
        paths,
        "works",
        "people",
        "ExpertWork",
        "WorkInput",
        params::<hezuo_domain::expert_work::WorkFilter>(),
    );
}

/// The outcomes ledger: its records, the office's confirm and return, the totals per kind.
fn outcomes(paths: &mut serde_json::Map<String, Value>) {
    let mut filter = params::<hezuo_domain::outcome::OutcomeFilter>();
    filter.push(json!({ "name": "format", "in": "query", "required": false,
        "description": "`xlsx`: the whole filtered list as a spreadsheet instead of one JSON page",
        "schema": { "type": "string", "enum": ["xlsx"] } }));
    crud(paths, "outcomes", "outcomes", "Outcome", "OutcomeInput", filter);
    let mut totals_params = params::<hezuo_domain::outcome::OutcomeFilter>();
    totals_params.retain(|p| p["name"] != "archived");
    paths.insert(
        "/api/v1/outcomes/totals".into(),
        json!({ "get": { "tags": ["outcomes"],
            "summary": "Per kind, the entries the caller may see that match the filters: confirmed ones (they count) and unconfirmed ones (reported or returned), counted and summed (fen) apart",
            "operationId": "outcome_totals", "parameters": totals_params,
            "responses": responses("200", "Every kind, in order", json!({ "type": "array", "items": r("OutcomeTotal") }), &["422"]) } }),
    );
    paths.insert(
        "/api/v1/outcomes/{id}/confirm".into(),
        json!({ "post": { "tags": ["outcomes"], "summary": "Confirm an outcome (office only): it then counts in statistics",
            "operationId": "confirm_outcome", "parameters": [id_param("id")],
            "responses": responses("200", "Confirmed", r("Outcome"), &["403", "404", "409", "412"]) } }),
    );
    paths.insert(
        "/api/v1/outcomes/{id}/return".into(),
        json!({ "post": { "tags": ["outcomes"], "summary": "Return an outcome to its reporter with a reason (office only)",
            "operationId": "return_outcome", "parameters": [id_param("id")], "requestBody": body("ReturnInput"),
            "responses": responses("200", "Returned", r("Outcome"), &["403", "404", "409", "412", "422"]) } }),
    );
}

/// Demands with their workflow, import and duplicates; search.
fn demands_and_search(paths: &mut serde_json::Map<String, Value>) {
    crud(
        paths,
        "demands",
        "demands",
        "Demand",
        "DemandInput",
        params::<hezuo_domain::demand::DemandFilter>(),
    );
    let tag = "demands";
    let step = |path: &str, op: &str, summary: &str, input: Option<&str>| {
        let mut o = json!({ "tags": [tag], "summary": summary, "operationId": op, "parameters": [id_param("id")],
            "responses": responses("200", "The demand after the step", r("Demand"), &["400", "403", "404", "409", "422"]) });
        if let Some(i) = input {
            o["requestBody"] = body(i);
        }
        (path.to_string(), json!({ "post": o }))
    };
    for (path, item) in [
        step(
            "/api/v1/demands/{id}/submit",
            "submit_demand",
            "Submit a draft (or a returned demand) for screening",
            None,
        ),
        step(
            "/api/v1/demands/{id}/review",
            "review_demand",
            "The office's decision at the stage the demand waits for (screen, then assess): pass, or return with a comment",
            Some("ReviewInput"),
        ),
        step(
            "/api/v1/demands/{id}/step",
            "step_demand",
            "start_matching, mark_matched, project (with project_id) or close (with comment)",
            Some("StepInput"),
        ),
        step(
            "/api/v1/demands/{id}/merge",
            "merge_demand",
            "Close the demand as a duplicate of `into` (office)",
            Some("MergeInput"),
        ),
    ] {
        paths.insert(path, item);
    }
    paths.insert("/api/v1/demands/{id}/reviews".into(), json!({ "get": { "tags": [tag],
        "summary": "The review trail, oldest first", "operationId": "list_demand_reviews", "parameters": [id_param("id")],
        "responses": responses("200", "All reviews", list_schema("DemandReview"), &["404"]) } }));
    paths.insert(
        "/api/v1/demands/{id}/duplicates".into(),
        json!({ "get": { "tags": [tag],
        "summary": "Likely duplicates among the demands the caller may see, with their similarity (0–1)",
        "operationId": "list_demand_duplicates", "parameters": [id_param("id")],
        "responses": responses("200", "Most similar first", list_schema("Duplicate"), &["404"]) } }),
    );
    paths.insert("/api/v1/demands/import".into(), json!({ "post": { "tags": [tag],
        "summary": "Import demands from an .xlsx sheet (multipart: `file`, optional `campaign_id`); all rows or none",
        "operationId": "import_demands",
        "requestBody": { "content": { "multipart/form-data": { "schema": { "type": "object",
            "properties": { "file": { "type": "string", "format": "binary" }, "campaign_id": { "type": "integer" } } } } } },
        "responses": responses("201", "Every row written", r("ImportReport"), &["400", "403", "413", "422"]) } }));
    paths.insert("/api/v1/demands/{id}/matches".into(), json!({
        "get": { "tags": ["matching"], "operationId": "demand_matches", "parameters": [id_param("id")],
            "summary": "Ranked experts and results for the demand, each with its score and why (terms in common, discipline, place, load, earlier outcomes), and the matches confirmed so far",
            "responses": responses("200", "Suggestions", r("Suggestions"), &["404"]) },
        "post": { "tags": ["matching"], "operationId": "confirm_match", "parameters": [id_param("id")],
            "summary": "Confirm a suggestion (`person_id` or `result_id`; office): it starts as suggested",
            "requestBody": body("ConfirmInput"),
            "responses": responses("201", "The match", r("Match"), &["403", "404", "409", "422"]) } }));
    paths.insert("/api/v1/matches/{id}".into(), json!({ "get": { "tags": ["matching"], "operationId": "get_match",
        "summary": "One match", "parameters": [id_param("id")], "responses": responses("200", "The match", r("Match"), &["404"]) } }));
    paths.insert("/api/v1/matches/{id}/status".into(), json!({ "post": { "tags": ["matching"], "operationId": "set_match_status",
        "summary": "suggested → contacted → accepted / declined (with a reason); the expert named may accept or decline",
        "parameters": [id_param("id")], "requestBody": body("MatchStatusInput"),
        "responses": responses("200", "The match", r("Match"), &["403", "404", "409", "422"]) } }));
    closed_loop_paths(paths);
    let mut search_params = params::<crate::search::SearchParams>();
    search_params.retain(|p| p["name"] != "per_page" && p["name"] != "page");
    search_params.extend(params::<ListParams>().into_iter().filter(|p| p["name"] != "sort"));
    paths.insert("/api/v1/search".into(), json!({ "get": { "tags": ["search"],
        "summary": "Search every record kind the caller may see (simplified or traditional Chinese, pinyin, English), with highlights and facets",
        "operationId": "search", "parameters": search_params,
        "responses": responses("200", "Hits the caller may see, best first", r("SearchAnswer"), &["400"]) } }));
}

/// The closed loop: one demand's way, and the funnels of demands and results.
fn closed_loop_paths(paths: &mut serde_json::Map<String, Value>) {
    let tag = "loop";
    let mut fp = params::<crate::closed_loop::FunnelParams>();
    fp.retain(|p| !["step", "stopped", "page", "per_page"].contains(&p["name"].as_str().unwrap_or("")));
    paths.insert("/api/v1/demands/{id}/loop".into(), json!({ "get": { "tags": [tag], "operationId": "demand_loop",
        "summary": "The demand's way from intake to local use: each step, whether and when it happened, the days it took, and the records behind it (unconfirmed outcomes listed with `counts: false`)",
        "parameters": [id_param("id")], "responses": responses("200", "The loop", r("LoopAnswer"), &["404"]) } }));
    paths.insert("/api/v1/funnel".into(), json!({ "get": { "tags": [tag], "operationId": "demand_funnel",
        "summary": "The funnel of the demands the caller may see (collected in `year`, of a campaign, of a county): count, conversion, median days and those waiting or stopped at each step, first step first; only confirmed outcomes count",
        "parameters": fp, "responses": responses("200", "The funnel", r("FunnelAnswer"), &["422"]) } }));
    paths.insert("/api/v1/funnel/results".into(), json!({ "get": { "tags": [tag], "operationId": "result_funnel",
        "summary": "The funnel of the results the caller may see (listed in `year`): listed → matched → transferred → used locally",
        "parameters": fp, "responses": responses("200", "The funnel", r("FunnelAnswer"), &["422"]) } }));
    paths.insert("/api/v1/funnel/waiting".into(), json!({ "get": { "tags": [tag], "operationId": "demands_at_step",
        "summary": "The demands whose furthest step is `step` (any short of the end when absent), still moving (or with `stopped=true` closed there), longest waiting first",
        "parameters": params::<crate::closed_loop::FunnelParams>(),
        "responses": responses("200", "A page of them", list_schema("WaitingDemandItem"), &["422"]) } }));
}

/// Meetings and their decisions: the records, a decision's progress report and its hand-over.
fn events(paths: &mut serde_json::Map<String, serde_json::Value>) {
    crud(
        paths,
        "events",
        "events",
        "Event",
        "EventInput",
        params::<hezuo_domain::event::EventFilter>(),
    );
    crud(
        paths,
        "decisions",
        "events",
        "Decision",
        "DecisionInput",
        params::<hezuo_domain::event::DecisionFilter>(),
    );
    paths.insert(
        "/api/v1/events/{id}/decisions".into(),
        json!({ "get": { "tags": ["events"], "summary": "The meeting's decisions, each with its flag and status",
            "operationId": "list_event_decisions", "parameters": [id_param("id")],
            "responses": responses("200", "Its decisions", json!({ "type": "array", "items": r("Decision") }), &["404"]) } }),
    );
    paths.insert(
        "/api/v1/decisions/{id}/progress".into(),
        json!({ "post": { "tags": ["events"],
            "summary": "Report how a decision stands: its status along the allowed steps, what has been done, the day it was done (its owner unit, the organiser, the office)",
            "operationId": "report_decision_progress", "parameters": [id_param("id")], "requestBody": body("ProgressInput"),
            "responses": responses("200", "The decision as it now stands", r("Decision"), &["403", "404", "409", "412", "422"]) } }),
    );
    paths.insert(
        "/api/v1/decisions/{id}/project".into(),
        json!({ "post": { "tags": ["events"],
            "summary": "Turn an open decision into a project: the project is created by the project rules and the decision handed over to it, both or neither",
            "operationId": "decision_to_project", "parameters": [id_param("id")], "requestBody": body("ProjectInput"),
            "responses": responses("201", "The decision and the new project", r("HandedToProject"), &["403", "404", "409", "412", "422"]) } }),
    );
    paths.insert(
        "/api/v1/decisions/{id}/problem".into(),
        json!({ "post": { "tags": ["events"],
            "summary": "Turn an open decision into a problem for coordination on a project, both or neither",
            "operationId": "decision_to_problem", "parameters": [id_param("id")], "requestBody": body("ProblemInput"),
            "responses": responses("201", "The decision and the new problem", r("HandedToProblem"), &["403", "404", "409", "412", "422"]) } }),
    );
}

/// Trainings and practice: the record, its participants and their import, the counts of people trained.
fn trainings(paths: &mut serde_json::Map<String, Value>) {
    let tag = "trainings";
    crud(
        paths,
        "trainings",
        tag,
        "Training",
        "TrainingInput",
        params::<hezuo_domain::training::TrainingFilter>(),
    );
    paths.insert("/api/v1/trainings/counts".into(), json!({ "get": { "tags": [tag],
        "summary": "People who attended trainings starting in `year` (not archived nor cancelled) in the caller's scope, by county \
                    (each participant's: their unit's, else the training's; \"\" when neither is known) or by kind",
        "operationId": "count_trained", "parameters": params::<crate::trainings::CountsQuery>(),
        "responses": responses("200", "The rows, most people first", r("TrainedCounts"), &["422"]) } }));
    paths.insert("/api/v1/trainings/{id}/participants".into(), json!({
        "get": { "tags": [tag], "summary": "The participants in list order (phone numbers masked for those who do not keep the training)",
                 "operationId": "list_participants", "parameters": [id_param("id")],
                 "responses": responses("200", "All of them", list_schema("Participant"), &["404"]) },
        "post": { "tags": [tag], "summary": "Add one participant (refused when the same name and unit is listed)",
                  "operationId": "add_participant", "parameters": [id_param("id")], "requestBody": body("ParticipantInput"),
                  "responses": responses("201", "Added", r("Participant"), &["400", "403", "404", "409", "413", "422"]) } }));
    paths.insert("/api/v1/trainings/{id}/participants/import".into(), json!({ "post": { "tags": [tag],
        "summary": "Import participants from an .xlsx sheet (multipart: `file`, optional `mode`: replace (default) or add); \
                    columns 姓名, 单位 (required), 职务, 电话, 是否到课, 学时; all rows or none",
        "operationId": "import_participants", "parameters": [id_param("id")],
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "required": ["file"],
            "properties": { "file": { "type": "string", "format": "binary" },
                            "mode": { "type": "string", "enum": ["replace", "add"], "default": "replace" } } } } } },
        "responses": responses("201", "Every row written", r("ImportAnswer"), &["400", "403", "404", "413", "422"]) } }));
    paths.insert(
        "/api/v1/trainings/{id}/participants/{mid}/attendance".into(),
        json!({ "post": { "tags": [tag],
        "summary": "Mark whether a participant attended, and their hours", "operationId": "set_attendance",
        "parameters": [id_param("id"), id_param("mid")], "requestBody": body("AttendanceInput"),
        "responses": responses("200", "The participant", r("Participant"), &["400", "403", "404", "413", "422"]) } }),
    );
    paths.insert("/api/v1/trainings/{id}/participants/{mid}/remove".into(), json!({ "post": { "tags": [tag],
        "summary": "Take a participant off the list", "operationId": "remove_participant",
        "parameters": [id_param("id"), id_param("mid")],
        "responses": { "204": { "description": "Removed" }, "403": { "description": "The caller may not keep this training" },
                       "404": { "description": "No such training, or the participant is not on it" } } } }));
}

/// Chief experts: their appointments, the service log, the year's tally and the demands matched to them.
fn chief_experts(paths: &mut serde_json::Map<String, Value>) {
    let tag = "chief-experts";
    let mut filter = params::<hezuo_domain::chief_expert::ChiefExpertFilter>();
    filter.push(json!({ "name": "format", "in": "query", "required": false,
        "description": "`xlsx`: the whole filtered list as a spreadsheet instead of one JSON page",
        "schema": { "type": "string", "enum": ["xlsx"] } }));
    crud(paths, "chief-experts", tag, "ChiefExpert", "ChiefExpertInput", filter);
    crud(
        paths,
        "service-log",
        tag,
        "ServiceLog",
        "ServiceLogInput",
        params::<hezuo_domain::chief_expert::ServiceLogFilter>(),
    );
    let mut tally_params = vec![id_param("id")];
    tally_params.extend(params::<crate::chief_experts::TallyQuery>());
    paths.insert(
        "/api/v1/chief-experts/{id}/tally".into(),
        json!({ "get": { "tags": [tag],
            "summary": "The year's service log by kind (every kind, in order, zeros included; the total last with `kind: null`): entries not archived, hours and people served — what the yearly appraisal counts",
            "operationId": "chief_expert_tally", "parameters": tally_params,
            "responses": responses("200", "Every kind, then the total", json!({ "type": "array", "items": r("ServiceTally") }), &["404", "422"]) } }),
    );
    paths.insert(
        "/api/v1/chief-experts/{id}/demands".into(),
        json!({ "get": { "tags": [tag],
            "summary": "The demands matched to the expert whose enterprise lies in the place served (all of them for an appointment to a chain alone), as the caller may see the matches",
            "operationId": "chief_expert_demands", "parameters": [id_param("id")],
            "responses": responses("200", "Latest match first", list_schema("MatchedDemand"), &["404"]) } }),
    );
}

/// Secondments (挂职) both ways: the records with their flag, the status steps, the appraisal, the
/// secondees' reports, each period's standing and the counts for the annual review.
fn secondments(paths: &mut serde_json::Map<String, Value>) {
    let tag = "secondments";
    crud(
        paths,
        "secondments",
        tag,
        "Secondment",
        "SecondmentInput",
        params::<hezuo_domain::secondment::SecondmentFilter>(),
    );
    let mut counts = params::<crate::secondments::CountsQuery>();
    counts.extend(params::<hezuo_domain::secondment::SecondmentFilter>());
    paths.insert("/api/v1/secondments/counts".into(), json!({ "get": { "tags": [tag],
        "summary": "Secondments in the caller's scope matching the filters, counted by `by`: direction, county (of the local side), \
                    year (each year of the term) or status",
        "operationId": "count_secondments", "parameters": counts,
        "responses": responses("200", "The counts", r("SecondmentCounts"), &["422"]) } }));
    paths.insert("/api/v1/secondments/{id}/status".into(), json!({ "post": { "tags": [tag],
        "summary": "A status step: planned → serving (from the start day), serving → ended_early or completed (`ended_on`, not in the future)",
        "operationId": "set_secondment_status", "parameters": [id_param("id")], "requestBody": body("StatusInput"),
        "responses": responses("200", "The secondment after the step", r("Secondment"), &["400", "403", "404", "409", "412", "422"]) } }));
    paths.insert("/api/v1/secondments/{id}/appraisal".into(), json!({ "post": { "tags": [tag],
        "summary": "The end-of-term appraisal (once ended): grade, comment and, as evidence, one of the secondment's attachments",
        "operationId": "appraise_secondment", "parameters": [id_param("id")], "requestBody": body("AppraisalInput"),
        "responses": responses("200", "The secondment with its appraisal", r("Secondment"), &["400", "403", "404", "409", "412", "422"]) } }));
    paths.insert("/api/v1/secondments/{id}/reports".into(), json!({
        "get": { "tags": [tag], "summary": "Every version of every report, newest period and version first",
                 "operationId": "list_secondment_reports", "parameters": [id_param("id")],
                 "responses": responses("200", "All of them", list_schema("SecondmentReport"), &["404"]) },
        "post": { "tags": [tag], "summary": "File (or amend: a new version) the report of a period; the secondee, the office or a coordinator in scope",
                  "operationId": "file_secondment_report", "parameters": [id_param("id")], "requestBody": body("SecondmentReportInput"),
                  "responses": responses("201", "Filed", r("SecondmentReport"), &["400", "403", "404", "413", "422"]) } }));
    paths.insert("/api/v1/secondments/{id}/periods".into(), json!({ "get": { "tags": [tag],
        "summary": "The periods of the term with their due day, first filing and standing today (not_due, on_time, late, missing)",
        "operationId": "secondment_periods", "parameters": [id_param("id")],
        "responses": responses("200", "All of them, in order", list_schema("PeriodRow"), &["404"]) } }));
    paths.insert(
        "/api/v1/secondment-reports/{id}".into(),
        json!({ "get": { "tags": [tag],
        "summary": "One report (one version)", "operationId": "get_secondment_report", "parameters": [id_param("id")],
        "responses": responses("200", "The report", r("SecondmentReport"), &["404"]) } }),
    );
}

/// Coordination bodies: the record (list also as a spreadsheet), its members' terms, the roster of a year.
fn groups(paths: &mut serde_json::Map<String, Value>) {
    let tag = "groups";
    let mut filter = params::<hezuo_domain::group::GroupFilter>();
    filter.push(json!({ "name": "format", "in": "query", "required": false,
        "description": "`xlsx`: the whole filtered list as a spreadsheet instead of one JSON page",
        "schema": { "type": "string", "enum": ["xlsx"] } }));
    crud(paths, "groups", tag, "Group", "GroupInput", filter);
    paths.insert("/api/v1/groups/roster".into(), json!({ "get": { "tags": [tag], "operationId": "group_roster",
        "summary": "Who served in which body in `year` (this year when absent) and who left in it, body by body (leading group first)",
        "parameters": params::<crate::groups::RosterQuery>(),
        "responses": responses("200", "The roster", r("Roster"), &["422"]) } }));
    paths.insert("/api/v1/groups/{id}/members".into(), json!({
        "get": { "tags": [tag], "summary": "Every term in the body, current and ended, in the order added", "operationId": "list_group_members",
                 "parameters": [id_param("id")], "responses": responses("200", "All of them", list_schema("GroupMember"), &["404"]) },
        "post": { "tags": [tag], "summary": "Add a member (one term; the organisation is the person's own when not given); whoever may edit the body",
                  "operationId": "add_group_member", "parameters": [id_param("id")], "requestBody": body("MemberInput"),
                  "responses": responses("201", "Added", r("GroupMember"), &["400", "403", "404", "413", "422"]) } }));
    paths.insert("/api/v1/groups/{id}/members/{mid}/end".into(), json!({ "post": { "tags": [tag],
        "summary": "End a member's term on `to_on` (never before it began: 422 naming `to_on`)", "operationId": "end_group_term",
        "parameters": [id_param("id"), id_param("mid")], "requestBody": body("EndTermInput"),
        "responses": responses("200", "The ended term", r("GroupMember"), &["400", "403", "404", "422"]) } }));
    paths.insert("/api/v1/groups/{id}/members/{mid}/remove".into(), json!({ "post": { "tags": [tag],
        "summary": "Delete a term entered by mistake (a member who left: end the term instead)", "operationId": "remove_group_member",
        "parameters": [id_param("id"), id_param("mid")],
        "responses": { "204": { "description": "Removed" }, "403": { "description": "The caller may not edit this body" },
                       "404": { "description": "No such body, or the term is not its" } } } }));
}
