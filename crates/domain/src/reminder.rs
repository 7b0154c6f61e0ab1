//! Reminders (提醒): which milestones and reports a responsible person should hear about on a given
//! day — some days before they are due, on the day, and the day after if missed — and the one
//! message a day that lists them all.

use chrono::NaiveDate;
use serde::Serialize;

/// Days before the due date on which reminders go out, unless configured otherwise.
pub const DEFAULT_DAYS_BEFORE: [i64; 2] = [7, 1];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum When {
    InDays(i64),
    Today,
    /// The day after it was due and nothing came.
    Overdue,
}

/// Whether something due on `due` is worth a reminder on `today`.
pub fn when(today: NaiveDate, due: NaiveDate, days_before: &[i64]) -> Option<When> {
    match (due - today).num_days() {
        0 => Some(When::Today),
        -1 => Some(When::Overdue),
        n if n > 0 && days_before.contains(&n) => Some(When::InDays(n)),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// 节点“中试” or 2026年5月进度填报.
    pub what: String,
    /// What it belongs to, as named in the message: 项目 (a project) or 会议 (a meeting's decision).
    pub of: &'static str,
    pub project: String,
    pub due: NaiveDate,
    pub when: When,
}

/// Subject and body of the day's message to one person.
pub fn compose(name: &str, items: &[DueItem]) -> (String, String) {
    let overdue = items.iter().filter(|i| i.when == When::Overdue).count();
    let subject = if overdue > 0 {
        format!(
            "【市校合作】{name}，您有 {} 项待办，其中 {overdue} 项已逾期",
            items.len()
        )
    } else {
        format!("【市校合作】{name}，您有 {} 项待办即将到期", items.len())
    };
    let mut body = format!("{name}：\n\n以下事项请及时办理：\n\n");
    for (k, i) in items.iter().enumerate() {
        let when = match i.when {
            When::InDays(n) => format!("{n} 天后到期"),
            When::Today => "今天到期".to_string(),
            When::Overdue => "昨天已到期，尚未完成".to_string(),
        };
        body.push_str(&format!(
            "{}. {}（{}：{}），{}，{when}\n",
            k + 1,
            i.what,
            i.of,
            i.project,
            i.due
        ));
    }
    body.push_str("\n请登录市校合作平台填报进度或更新推进进度表。\n\n市校全面合作协调委员会办公室\n");
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_fall_on_the_chosen_days_before_on_the_day_and_the_day_after() {
        let today = d("2026-02-28");
        assert_eq!(
            when(today, d("2026-03-07"), &[7, 1]),
            Some(When::InDays(7)),
            "across the end of February"
        );
        assert_eq!(when(today, d("2026-03-01"), &[7, 1]), Some(When::InDays(1)));
        assert_eq!(when(today, d("2026-02-28"), &[7, 1]), Some(When::Today));
        assert_eq!(when(today, d("2026-02-27"), &[7, 1]), Some(When::Overdue));
        assert_eq!(when(today, d("2026-03-02"), &[7, 1]), None);
        assert_eq!(
            when(today, d("2026-02-20"), &[7, 1]),
            None,
            "long overdue: no daily nagging"
        );
        assert_eq!(
            when(d("2024-02-28"), d("2024-02-29"), &[1]),
            Some(When::InDays(1)),
            "leap day"
        );
    }

    #[test]
    fn one_message_lists_everything_and_says_what_is_overdue() {
        let items = [
            DueItem {
                of: "项目",
                what: "节点“中试”".into(),
                project: "有机硅".into(),
                due: d("2026-03-07"),
                when: When::InDays(7),
            },
            DueItem {
                of: "项目",
                what: "2026年1月进度填报".into(),
                project: "光伏".into(),
                due: d("2026-02-27"),
                when: When::Overdue,
            },
        ];
        let (subject, body) = compose("王建国", &items);
        assert!(subject.contains("2 项待办") && subject.contains("1 项已逾期"));
        assert!(body.contains("1. 节点“中试”（项目：有机硅），2026-03-07，7 天后到期"));
        assert!(body.contains("昨天已到期"));
    }
}
