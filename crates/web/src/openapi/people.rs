//! The paths of people and meetings (issue 16): coordination bodies, secondments, chief experts,
//! trainings, meetings and their decisions. Part of the one document `super` builds, with its
//! helpers (`crud`, `responses`, `params`…).

use super::{body, crud, id_param, list_schema, params, r, responses};
use serde_json::{Value, json};

/// Meetings and their decisions: the records, a decision's progress report and its hand-over.
pub(super) fn events(paths: &mut serde_json::Map<String, serde_json::Value>) {
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
pub(super) fn trainings(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn chief_experts(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn secondments(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn groups(paths: &mut serde_json::Map<String, Value>) {
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
