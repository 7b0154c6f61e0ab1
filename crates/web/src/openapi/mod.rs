//! The OpenAPI 3 document of `/api/v1`, generated from the code: schemas come from the record and
//! input types (utoipa derives), query parameters from the filter types, and the paths from the
//! same list of resources that [`crate::resource::routes`] mounts.
//!
//! Here: the schemas, the shared pieces of every path (`crud`, `responses`, `params`…), the
//! accounts, supervision and attachment paths and the document's annotations; the other features'
//! paths are in `features.rs` and issue 16's (people and meetings) in `people.rs`.
//!
//! Over 800 lines: the schema list (it grows with every record kind) and the shared path helpers;
//! each later feature's paths and schemas live in this folder's other files (`features.rs`,
//! `people.rs`, `statistics.rs`, `annual_review.rs`…). Next split: the accounts' and supervision's
//! paths into their own files.

mod annual_review;
mod features;
mod imports;
mod messages;
mod notifications;
mod people;
mod registrations;
mod statistics;
mod webhooks;

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
- Lists: `{\"items\", \"total\", \"total_kind\", \"page\", \"per_page\", \"next_after\"}`; a bad `page`, `per_page`, `sort` or filter is a 422 naming it. \
Lists of more than 1,000 rows are not counted on every call: `total_kind` is `exact`, `estimate` (a count at most ten minutes old) \
or `at_least` (more than `total`). In a list's default order a full page carries `next_after`: send it back as `after` \
(with the next `page`) and the next page is found by key, as fast deep in a long list as at its start.\n\
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
        hezuo_domain::message::Message,
        hezuo_domain::message::MessageInput,
        hezuo_domain::message::MessageEditInput,
        hezuo_domain::message::MessageEdit,
        hezuo_domain::message::ReadReceipt,
        hezuo_domain::message::ReadInput,
        hezuo_domain::message::ThreadSummary,
        hezuo_domain::message::ThreadRef,
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
        hezuo_domain::notice::Notice,
        hezuo_domain::notice::NoticeInput,
        hezuo_domain::notice::NoticeKind,
        hezuo_domain::notice::NoticeStatus,
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
        "total": { "type": "integer", "description": "Everything that matched, across pages (see total_kind)" },
        "total_kind": { "type": "string", "enum": ["exact", "estimate", "at_least"],
            "description": "exact; estimate: a count at most ten minutes old; at_least: more than total" },
        "next_after": { "type": "integer", "format": "int64",
            "description": "In the default order, on a full page: send as `after` with the next `page`" },
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
    // Every list also answers as a spreadsheet.
    if !list_params.iter().any(|p| p["name"] == "format") {
        list_params.push(json!({ "name": "format", "in": "query", "required": false,
            "description": "`xlsx`: the whole filtered list (every page, up to 1,000,000 rows) as a spreadsheet instead of one JSON page: \
                the filters on the first line, the header frozen below, dates as dates, money in 万元 as numbers",
            "schema": { "type": "string", "enum": ["xlsx"] } }));
    }
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
    imports::schemas(&mut doc);
    registrations::schemas(&mut doc);
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
    // Notices for the public portal (the office's; others read the published ones).
    crud(
        &mut paths,
        "notices",
        "notices",
        "Notice",
        "NoticeInput",
        params::<hezuo_domain::notice::NoticeFilter>(),
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
    features::records(&mut paths);
    features::platforms(&mut paths);
    features::demands_and_search(&mut paths);
    features::outcomes(&mut paths);
    messages::messages(&mut paths);
    people::events(&mut paths);
    people::trainings(&mut paths);
    people::chief_experts(&mut paths);
    people::secondments(&mut paths);
    people::groups(&mut paths);
    annual_review::paths(&mut paths);
    statistics::statistics(&mut doc, &mut paths);
    imports::paths(&mut paths);
    notifications::paths(&mut doc, &mut paths);
    webhooks::paths(&mut paths);
    registrations::paths(&mut paths);
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
        annual_review::schemas(schemas);
        webhooks::schemas(schemas);
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
        "required": ["id", "username", "role", "organization_id", "person_id", "must_change_password", "disabled", "pending", "created_at"],
        "properties": { "id": { "type": "integer", "format": "int64" }, "username": { "type": "string" }, "role": r("Role"),
                        "organization_id": { "type": ["integer", "null"], "format": "int64" },
                        "person_id": { "type": ["integer", "null"], "format": "int64" },
                        "must_change_password": { "type": "boolean" }, "disabled": { "type": "boolean" },
                        "pending": { "type": "boolean", "description": "A self-registered account not approved (yet): it reaches only its own application" },
                        "created_at": time } }));
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
