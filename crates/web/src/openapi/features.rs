//! The paths of the records before issue 16: platforms, campaigns, results and works, the outcomes
//! ledger, demands with their workflow and search, the closed loop. Part of the one document
//! `super` builds, with its helpers (`crud`, `responses`, `params`…).

use super::*;
use serde_json::{Value, json};

/// Innovation platforms: the record, its counts, the people stationed there and its yearly evaluations.
pub(super) fn platforms(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn records(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn outcomes(paths: &mut serde_json::Map<String, Value>) {
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
pub(super) fn demands_and_search(paths: &mut serde_json::Map<String, Value>) {
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
