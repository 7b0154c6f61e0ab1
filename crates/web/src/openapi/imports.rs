//! The paths and schemas of the project list's import (年度合作项目清单) and of the unit
//! scorecards (单位评价, the 快马/蜗牛 ranking). Part of the one document `super` builds.

use super::{id_param, params, r, responses};
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    hezuo_app::project_import::ProjectImport,
    hezuo_domain::project_import::CellError,
    hezuo_domain::scorecard::Ranking,
    hezuo_domain::scorecard::RankedUnit,
    hezuo_domain::scorecard::Mark,
    hezuo_domain::scorecard::Scorecard,
    hezuo_domain::scorecard::ScoredProject,
    hezuo_domain::scorecard::Figures,
    hezuo_domain::scorecard::Change,
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
    paths.insert("/api/v1/projects/import".into(), json!({ "post": { "tags": ["projects"],
        "summary": "Import the year's project list (年度合作项目清单) from an .xlsx sheet (multipart: `file`): the header row \
                    (项目名称, 项目类别, 年度, 牵头单位 required; 所属清单, 配合单位, 责任人, 合同金额（万元）, 争取经费（万元）, \
                    开始日期, 计划完成日期, 主要内容, 项目来源, 合作协议, 来源说明) in any order; units by name, credit or \
                    organisation code, division code or short name; people by name within the lead unit or co-units. \
                    All rows in one transaction, or none with every bad cell named by row, column letter and header; \
                    a coordinator only projects led in their scope; the same sheet twice is refused (409)",
        "operationId": "import_projects",
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "required": ["file"],
            "properties": { "file": { "type": "string", "format": "binary" } } } } } },
        "responses": responses("201", "Every row written (422: the same body with `errors`, nothing written)",
            r("ProjectImport"), &["400", "403", "409", "413", "422"]) } }));
    let mut template = super::errors(&[]);
    template.insert("200".into(), json!({ "description": "The template: the header row and one example row",
        "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } } } }));
    paths.insert(
        "/api/v1/projects/import/template".into(),
        json!({ "get": { "tags": ["projects"],
        "summary": "The .xlsx template of the year's project list", "operationId": "project_import_template",
        "responses": template } }),
    );
    paths.insert(
        "/api/v1/scorecards".into(),
        json!({ "get": { "tags": ["scorecards"],
        "summary": "The ranking of responsible units for a year (`year`, this year by default) or a batch's period \
                    (`batch_id` and `period`, as its bulletin ranks them): reports on time, then milestones met; \
                    快马 (`fast`) at the top, 蜗牛 (`slow`) at the bottom. The office and leaders see every unit, a \
                    coordinator their subtree's, a unit itself",
        "operationId": "scorecard_ranking", "parameters": params::<crate::scorecards::RankQuery>(),
        "responses": responses("200", "The ranking", r("Ranking"), &["404", "422"]) } }),
    );
    let mut ps = vec![id_param("id")];
    ps.extend(params::<crate::scorecards::YearQuery>());
    paths.insert(
        "/api/v1/scorecards/{id}".into(),
        json!({ "get": { "tags": ["scorecards"],
        "summary": "A unit's scorecard for a year: the projects it leads, reports on time, milestones met and due, \
                    outcomes, flags, this year beside the year before, and its place in the ranking",
        "operationId": "unit_scorecard", "parameters": ps,
        "responses": responses("200", "The scorecard", r("Scorecard"), &["404", "422"]) } }),
    );
}
