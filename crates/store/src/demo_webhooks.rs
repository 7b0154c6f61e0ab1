//! The demo's webhooks (issue 18): the office's 浙政钉 group robot at the city, hearing every
//! organisation's events, and 江山市's JSON webhook for red flags and late decisions. Both point at
//! 127.0.0.1:9 (the discard port, where nothing answers), so the delivery log shows attempts,
//! errors and the retry schedule without sending anything anywhere.

use crate::{Result, Store, Viewer};
use hezuo_domain::ListParams;
use hezuo_domain::organization::OrganizationFilter;
use hezuo_domain::webhook::WebhookInput;

fn s(v: impl Into<String>) -> Option<String> {
    Some(v.into())
}

/// Loads the demo's webhooks; returns how many (0 when the demo's organisations are not there).
pub async fn load(store: &Store) -> Result<usize> {
    let v = Viewer::system("演示数据");
    let orgs = store
        .list_organizations(&v, &OrganizationFilter::default(), &ListParams::first(500))
        .await?
        .items;
    let org = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id);
    let (Some(city), Some(county)) = (org("衢州市"), org("江山市")) else {
        return Ok(0);
    };
    let hooks = [
        WebhookInput {
            organization_id: s(city.to_string()),
            name: s("市校合作办工作群（浙政钉机器人）"),
            kind: s("dingtalk"),
            url: s("http://127.0.0.1:9/robot/send?access_token=demo"),
            secret: s("SECdemo0000000000000000000000000000000000000000000000000000000"),
            events: ["flag_red", "bulletin_issued", "demand_matched", "decision_late"]
                .map(String::from)
                .to_vec(),
            enabled: s("true"),
            all_units: s("true"),
        },
        WebhookInput {
            organization_id: s(county.to_string()),
            name: s("江山市科技局督办系统回调"),
            kind: s("json"),
            url: s("http://127.0.0.1:9/hezuo/events"),
            secret: s("demo-json-secret"),
            events: ["flag_red", "decision_late"].map(String::from).to_vec(),
            enabled: s("true"),
            all_units: s("false"),
        },
    ];
    for h in &hooks {
        store.create_webhook(&v, &h.validate()?).await?;
    }
    Ok(hooks.len())
}
