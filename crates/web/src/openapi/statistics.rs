//! The statistics paths (issue 17): `GET /api/v1/stats` and its schemas. Part of the one document
//! `super` builds.

use super::{params, r, responses};
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    crate::statistics::StatsAnswer,
    crate::statistics::StatsRowAnswer,
    hezuo_domain::statistics::Figures,
    hezuo_domain::statistics::Change
)))]
struct StatsSchemas;

/// Adds the statistics' paths to `paths` and their schemas to `doc`'s components.
pub(super) fn statistics(doc: &mut Value, paths: &mut serde_json::Map<String, Value>) {
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let mut res = responses(
        "200",
        "The figures per group (money in fen), with the year before's and the change when a year is given; \
         with `format=xlsx` the table as a spreadsheet (money in 万元)",
        r("StatsAnswer"),
        &["400", "401", "403"],
    );
    res["200"]["content"][xlsx] = json!({ "schema": { "type": "string", "format": "binary" } });
    paths.insert(
        "/api/v1/stats".into(),
        json!({ "get": { "tags": ["statistics"], "operationId": "statistics",
            "summary": "Statistics grouped by county, college, industry, project kind or year: projects (by status, flags), \
                        money, demands, transfers, platforms, secondments, trainings, meetings and decisions, scoped to the caller \
                        (the office and leaders: everything; a coordinator: their subtree; other roles: 403). A bad `by` or `year` is a 400 naming it.",
            "parameters": params::<crate::statistics::StatsParams>(),
            "responses": res } }),
    );
    let extra = serde_json::to_value(StatsSchemas::openapi()).unwrap_or(Value::Null);
    if let (Some(from), Some(to)) = (
        extra["components"]["schemas"].as_object(),
        doc["components"]["schemas"].as_object_mut(),
    ) {
        for (k, v) in from {
            to.insert(k.clone(), v.clone());
        }
    }
}
