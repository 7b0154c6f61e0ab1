//! The menu: for each role, only the sections it can use, in the order of its day. A section a
//! role reads nothing in, or that is another role's tool (the board, the year's lists, the audit
//! log and the API documents for enterprises and experts), is not offered.

use crate::i18n::Lang;
use hezuo_domain::access::{Role, Scope};

/// One entry of the menu.
pub struct NavItem {
    /// The section it opens (compared with a page's `nav` to mark it active).
    pub key: &'static str,
    pub href: String,
    pub label: &'static str,
}

/// The menu of a signed-in user with `role` and `scope`, in `lang`.
pub fn menu(role: Role, scope: Scope, lang: Lang) -> Vec<NavItem> {
    use Role::*;
    let item = |key: &'static str, href: &str, zh: &'static str, en: &'static str| NavItem {
        key,
        href: href.to_string(),
        label: lang.tr(zh, en),
    };
    let home = item("home", "/", "首页", "Home");
    let board = item("board", "/board", "督查看板", "Board");
    let projects = item("projects", "/projects", "合作项目", "Projects");
    let demands = item("demands", "/demands", "技术需求", "Demands");
    let messages = item("messages", "/messages", "沟通消息", "Messages");
    let results = item("results", "/results", "科技成果", "Results");
    let funnel = item("funnel", "/funnel", "转化闭环", "The loop");
    let stats = item("stats", "/stats", "统计分析", "Statistics");
    let batches = item("batches", "/batches", "年度清单", "Batches");
    let problems = item("problems", "/problems", "问题协调", "Problems");
    let bulletins = item("bulletins", "/bulletins", "督查通报", "Bulletins");
    let notices = item("notices", "/notices", "通知公告", "Notices");
    let review = item("annual-review", "/annual-review", "年度回顾", "Annual review");
    let events = item("events", "/events", "会议活动", "Meetings");
    let groups = item("groups", "/groups", "协调机构", "Bodies");
    let secondments = item("secondments", "/secondments", "挂职交流", "Secondments");
    let chiefs = item("chief-experts", "/chief-experts", "首席专家", "Chief experts");
    let trainings = item("trainings", "/trainings", "培训实践", "Trainings");
    // A unit reaches the decisions it carries out; the meetings section holds them for the others.
    let decisions = item("events", "/decisions?open=true", "议定事项", "Decisions");
    let agreements = item("agreements", "/agreements", "合作协议", "Agreements");
    let platforms = item("platforms", "/platforms", "共建平台", "Platforms");
    let outcomes = item("outcomes", "/outcomes", "成果台账", "Outcomes");
    let scorecards = item("scorecards", "/scorecards", "单位评价", "Scorecards");
    let orgs = item("organizations", "/organizations", "单位", "Organisations");
    let people = item("people", "/people", "人员", "People");
    let audit = item("audit", "/audit", "操作留痕", "Audit log");
    let users = item("users", "/users", "用户", "Users");
    let registrations = item("registrations", "/registrations", "注册审核", "Registrations");
    let api = item("api", "/api/v1/openapi.json", "接口文档", "API");
    let webhooks = item("webhooks", "/webhooks", "消息推送", "Webhooks");
    match role {
        Office => vec![
            home,
            board,
            projects,
            demands,
            messages,
            results,
            outcomes,
            funnel,
            stats,
            batches,
            problems,
            bulletins,
            notices,
            scorecards,
            review,
            events,
            groups,
            secondments,
            chiefs,
            trainings,
            agreements,
            platforms,
            orgs,
            people,
            webhooks,
            registrations,
            audit,
            users,
            api,
        ],
        Coordinator => vec![
            home,
            board,
            projects,
            demands,
            messages,
            results,
            outcomes,
            funnel,
            stats,
            batches,
            problems,
            bulletins,
            scorecards,
            review,
            events,
            groups,
            secondments,
            chiefs,
            trainings,
            agreements,
            platforms,
            orgs,
            people,
            webhooks,
            registrations,
            audit,
            api,
        ],
        Leader => vec![
            home,
            board,
            projects,
            demands,
            messages,
            results,
            outcomes,
            funnel,
            stats,
            batches,
            problems,
            bulletins,
            scorecards,
            review,
            events,
            groups,
            secondments,
            chiefs,
            trainings,
            agreements,
            platforms,
            orgs,
            people,
        ],
        Unit => vec![
            home,
            projects,
            outcomes,
            problems,
            decisions,
            batches,
            bulletins,
            // A unit's own scorecard (the ranking would show it alone).
            item(
                "scorecards",
                &match scope {
                    Scope::Org(id) => format!("/scorecards/{id}"),
                    _ => "/scorecards".into(),
                },
                "单位评价",
                "Scorecard",
            ),
            secondments,
            trainings,
            results,
            platforms,
            orgs,
            people,
            webhooks,
        ],
        Enterprise => {
            let own = match scope {
                Scope::Org(id) => format!("/organizations/{id}"),
                _ => "/organizations".into(),
            };
            vec![
                home,
                demands,
                messages,
                projects,
                results,
                outcomes,
                problems,
                platforms,
                item("organizations", &own, "本企业", "My enterprise"),
            ]
        }
        Expert => {
            let own = match scope {
                Scope::Person { person_id, .. } => format!("/people/{person_id}"),
                _ => "/people".into(),
            };
            vec![
                home,
                demands,
                messages,
                projects,
                results,
                outcomes,
                problems,
                platforms,
                // A secondee files their reports; a chief expert keeps their service log.
                secondments,
                chiefs,
                item("people", &own, "我的资料", "My profile"),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(role: Role, scope: Scope) -> Vec<&'static str> {
        menu(role, scope, Lang::Zh).iter().map(|i| i.key).collect()
    }

    #[test]
    fn enterprises_and_experts_are_not_offered_the_offices_tools() {
        for (role, scope) in [
            (Role::Enterprise, Scope::Org(3)),
            (
                Role::Expert,
                Scope::Person {
                    person_id: 4,
                    org_id: 2,
                },
            ),
        ] {
            let k = keys(role, scope);
            for tool in ["board", "batches", "audit", "api", "users"] {
                assert!(!k.contains(&tool), "{role:?} is offered {tool}: {k:?}");
            }
            assert!(k.contains(&"home") && k.contains(&"demands"), "{k:?}");
        }
    }

    #[test]
    fn only_the_office_is_offered_the_accounts_and_the_leader_no_api() {
        assert!(keys(Role::Office, Scope::All).contains(&"users"));
        assert!(!keys(Role::Coordinator, Scope::Subtree(1)).contains(&"users"));
        assert!(!keys(Role::Leader, Scope::All).contains(&"api"));
    }

    #[test]
    fn an_enterprise_and_an_expert_reach_their_own_page_from_the_menu() {
        let e = menu(Role::Enterprise, Scope::Org(12), Lang::Zh);
        assert!(e.iter().any(|i| i.href == "/organizations/12" && i.label == "本企业"));
        let x = menu(
            Role::Expert,
            Scope::Person {
                person_id: 7,
                org_id: 2,
            },
            Lang::Zh,
        );
        assert!(x.iter().any(|i| i.href == "/people/7" && i.label == "我的资料"));
    }
}
