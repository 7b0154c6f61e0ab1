//! Demo data for messages (沟通消息), written once the demo accounts exist (a receipt is an
//! account's): a match of the demo expert on a demand of the demo enterprise (when the demo has
//! none, a demand of the enterprise accepted and matched to the expert first, as the office and
//! the expert would) whose thread has the enterprise's questions, the expert's
//! replies and who read them, with one message edited and one waiting to be read; the demand's own
//! thread with the office, the enterprise and the expert; and a second demand's thread where the
//! office asks and the enterprise has not yet answered. Through the store's public API, as each
//! account. Nothing is written when the store holds messages already (a restart).

use crate::{Result, Store, StoreError, Viewer};
use hezuo_domain::ListParams;
use hezuo_domain::demand::{DemandFilter, DemandInput, DemandStatus, DemandStep, ReviewDecision};
use hezuo_domain::matching::{MatchStatus, MatchTarget};
use hezuo_domain::message::ThreadRef;

async fn viewer(store: &Store, name: &str) -> Result<Option<(Viewer, crate::accounts::User)>> {
    let Some(u) = store.user_by_name(name).await? else {
        return Ok(None);
    };
    Ok(Some((store.viewer_for(&u, None).await?, u)))
}

pub(crate) async fn load(store: &Store) -> Result<()> {
    let (Some((office, _)), Some((ent, ent_user)), Some((expert, expert_user))) = (
        viewer(store, "office").await?,
        viewer(store, "enterprise").await?,
        viewer(store, "expert").await?,
    ) else {
        return Ok(());
    };
    if !store.message_threads(&office).await?.is_empty() {
        return Ok(());
    }
    let (Some(org), Some(person)) = (ent_user.organization_id, expert_user.person_id) else {
        return Ok(());
    };
    let demands = store
        .list_demands(
            &office,
            &DemandFilter {
                enterprise_id: Some(org.to_string()),
                ..Default::default()
            },
            &ListParams::first(100),
        )
        .await?
        .items;
    let open: Vec<_> = demands
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DemandStatus::Accepted | DemandStatus::Matching | DemandStatus::Matched
            )
        })
        .collect();
    // The demand the expert is matched to, or the first open one, matched to them now.
    let mut found = None;
    for d in &open {
        if let Some(m) = store
            .demand_matches(&office, d.id)
            .await?
            .into_iter()
            .find(|m| m.person_id == Some(person))
        {
            found = Some((d.id, m));
            break;
        }
    }
    let (demand, m) = match found {
        Some(x) => x,
        None => {
            // No demand of the enterprise open to matching: one brought in for the talk, submitted
            // and accepted through both reviews.
            let d = match open.first() {
                Some(d) => d.id,
                None => {
                    let input = DemandInput {
                        title: Some("含氟废水深度除氟与氟资源回收".into()),
                        summary: Some(
                            "现有钙盐沉淀工艺出水氟离子在 10 mg/L 以上，希望与学校专家合作，降到 8 mg/L 以下并回收氟化钙。".into(),
                        ),
                        details: Some("日均废水约 300 吨，进水氟离子 800–1500 mg/L，可提供中试场地。".into()),
                        enterprise_id: Some(org.to_string()),
                        field: Some("环境保护".into()),
                        ..Default::default()
                    };
                    let data = input.validate().map_err(StoreError::Invalid)?;
                    let d = store.create_demand(&ent, &data).await?;
                    store.demand_step(&ent, d.id, DemandStep::Submit, None, None).await?;
                    for comment in ["需求明确，进入评审", "技术问题具体，学校有对口专家"] {
                        store
                            .review_demand(&office, d.id, ReviewDecision::Pass, Some(comment.into()))
                            .await?;
                    }
                    d.id
                }
            };
            let m = store
                .confirm_match_noted(
                    &office,
                    d,
                    MatchTarget::Expert,
                    person,
                    0.8,
                    &["研究方向与需求相符".to_string()],
                    Some("请专家与企业直接沟通技术细节"),
                )
                .await?;
            (d, m)
        }
    };
    let m = if m.status == MatchStatus::Suggested || m.status == MatchStatus::Contacted {
        store
            .set_match_status(&expert, m.id, MatchStatus::Accepted, Some("可以承接，先看现场".into()))
            .await?
    } else {
        m
    };
    let on_match = ThreadRef::Match(m.id);
    let none: &[crate::messages::MessageFile] = &[];
    // The match's thread: questions, replies, receipts, one edited message, one not yet read.
    store
        .post_message(
            &ent,
            on_match,
            "老师您好，我们这项需求目前的处理指标还不稳定，想请您帮忙看看现有工艺。",
            none,
        )
        .await?;
    store.mark_thread_read(&expert, on_match).await?;
    let reply = store
        .post_message(
            &expert,
            on_match,
            "您好，请先发一份近三个月的进出水水质数据，我周三上午可以到厂里看一下。",
            none,
        )
        .await?;
    store
        .edit_message(
            &expert,
            reply.id,
            "您好，请先发一份近三个月的进出水水质数据，我周四上午可以到厂里看一下。",
        )
        .await?;
    store.mark_thread_read(&ent, on_match).await?;
    store
        .post_message(
            &ent,
            on_match,
            "好的，数据整理好后发您。周四上午九点厂门口见。",
            &[(
                "进出水水质数据说明.txt",
                "text/plain",
                "近三个月进水、出水主要指标的日报汇总，附取样点说明。".as_bytes(),
            )],
        )
        .await?;
    store.mark_thread_read(&office, on_match).await?;
    // The demand's own thread: the office, the enterprise and the expert.
    let on_demand = ThreadRef::Demand(demand);
    store
        .post_message(
            &office,
            on_demand,
            "需求已进入对接阶段，请企业和专家在此同步进展，协调办会跟进。",
            none,
        )
        .await?;
    store.mark_thread_read(&ent, on_demand).await?;
    store
        .post_message(&ent, on_demand, "收到，已与专家约定现场查看。", none)
        .await?;
    store.mark_thread_read(&expert, on_demand).await?;
    // A second demand of the enterprise: the office asks, the enterprise has not read it yet.
    if let Some(other) = demands.iter().find(|d| d.id != demand) {
        store
            .post_message(
                &office,
                ThreadRef::Demand(other.id),
                "请补充该需求的预算范围和期望完成时间，便于推荐专家。",
                none,
            )
            .await?;
    }
    Ok(())
}
