//! Paging and sorting shared by every list, in the API and on the pages.

use crate::{FieldErrors, Msg};
use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 200;

/// `page` (from 1), `per_page` (≤ 200) and `sort` (a column name, `-` in front for descending).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[serde(default, deserialize_with = "crate::input::de_opt_string")]
    pub page: Option<String>,
    #[serde(default, deserialize_with = "crate::input::de_opt_string")]
    pub per_page: Option<String>,
    /// A sortable column; prefix with `-` for descending, e.g. `-updated_at`.
    #[serde(default)]
    pub sort: Option<String>,
    /// Rows per page beyond [`MAX_PER_PAGE`], for an export reading a whole list in batches; never
    /// taken from a query.
    #[serde(skip)]
    pub batch: Option<u32>,
    /// The `next_after` of the page before: the next page starts after that record (keyset paging,
    /// as fast on page 50,000 as on page 1). Honoured by lists in their default order (by number);
    /// in any other order `page` alone decides.
    #[serde(default, deserialize_with = "crate::input::de_opt_string")]
    pub after: Option<String>,
}

impl ListParams {
    /// The first `n` records in the default order: for menus and panels that show what fits.
    pub fn first(n: u32) -> ListParams {
        ListParams {
            per_page: Some(n.to_string()),
            ..Default::default()
        }
    }
    /// Page `page` of `batch` rows in the order `sort`: an export reading a whole list.
    pub fn batch(page: u32, batch: u32, sort: Option<String>) -> ListParams {
        ListParams {
            page: Some(page.to_string()),
            sort,
            batch: Some(batch.max(1)),
            ..Default::default()
        }
    }
    pub fn page(&self) -> u32 {
        self.page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
            .min(1_000_000)
    }
    pub fn per_page(&self) -> u32 {
        if let Some(b) = self.batch {
            return b;
        }
        self.per_page
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE)
    }
    /// The requested sort, if it names one of `allowed` (with `-` for descending), or `default` when
    /// none is asked for; (column, descending). Any other name is refused, naming the choices.
    pub fn sort<'a>(&self, allowed: &[&'a str], default: (&'a str, bool)) -> Result<(&'a str, bool), FieldErrors> {
        let Some(s) = self.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(default);
        };
        let (name, desc) = match s.strip_prefix('-') {
            Some(n) => (n, true),
            None => (s, false),
        };
        allowed.iter().find(|a| **a == name).map(|a| (*a, desc)).ok_or_else(|| {
            let choices = allowed.join("、");
            FieldErrors::one(
                "sort",
                Msg::new(
                    format!("不能按“{s}”排序，可选：{choices}（前加 - 为倒序）"),
                    format!(
                        "Cannot sort by “{s}”: choose one of {} (a leading - for descending)",
                        allowed.join(", ")
                    ),
                ),
            )
        })
    }

    /// Refuses a `page` or `per_page` that is not a whole number from 1 (a `per_page` above the
    /// largest page is served as the largest page).
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (name, v, max) in [
            ("page", &self.page, 1_000_000u64),
            ("per_page", &self.per_page, u64::MAX),
        ] {
            let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            if !v.parse::<u64>().is_ok_and(|n| (1..=max).contains(&n)) {
                e.add(
                    name,
                    Msg::new(
                        format!(
                            "“{v}”不是有效的{}：应为从 1 起的整数",
                            if name == "page" { "页码" } else { "每页条数" }
                        ),
                        format!("“{v}” is not a valid {name}: a whole number from 1"),
                    ),
                );
            }
        }
        if let Some(a) = self.after.as_deref().map(str::trim).filter(|a| !a.is_empty())
            && !a.parse::<i64>().is_ok_and(|n| n >= 0)
        {
            e.add(
                "after",
                Msg::new(
                    format!("“{a}”不是有效的翻页位置：应为上一页给出的 next_after（记录编号）"),
                    format!("“{a}” is not a valid after: the next_after of the page before (a record number)"),
                ),
            );
        }
        e.into_result(())
    }
    pub fn offset(&self) -> i64 {
        (self.page() as i64 - 1) * self.per_page() as i64
    }
    /// The record number the page starts after (`after`), when it is one.
    pub fn after_id(&self) -> Option<i64> {
        self.after.as_deref().and_then(|a| a.trim().parse().ok())
    }
}

/// How far a list's `total` is to be taken: counted exactly, an estimate (an exact count made a
/// few minutes ago, kept for a list too long to count on every view), or "at least" (more than the
/// rows counted exactly, the estimate not made yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TotalKind {
    #[default]
    Exact,
    Estimate,
    AtLeast,
}

/// A list's count: how many matched and how far that is to be taken, and where the next page
/// starts when the list is in an order that pages by key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    pub total: i64,
    pub kind: TotalKind,
    pub next_after: Option<i64>,
}

impl From<i64> for Counted {
    fn from(total: i64) -> Self {
        Counted {
            total,
            ..Default::default()
        }
    }
}

/// One page of a list and the total count of everything that matched.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// `exact`, `estimate` (約) or `at_least` (more than `total`): long lists are not counted on
    /// every view.
    pub total_kind: TotalKind,
    pub page: u32,
    pub per_page: u32,
    /// Send as `after` (with `page` + 1) for the next page: set when the list is in its default
    /// order and this page is full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Everything on one page (short lists that are never paged: a project's milestones, reports…).
    pub fn whole(items: Vec<T>) -> Self {
        let n = items.len();
        Page {
            items,
            total: n as i64,
            total_kind: TotalKind::Exact,
            page: 1,
            per_page: n.max(1) as u32,
            next_after: None,
        }
    }

    /// A page of `items` as `p` asked, with the count the store made (`Page { items, ..Page::counted(c, p) }`).
    pub fn counted(c: impl Into<Counted>, p: &ListParams) -> Self {
        let c = c.into();
        Page {
            items: Vec::new(),
            total: c.total,
            total_kind: c.kind,
            page: p.page(),
            per_page: p.per_page(),
            next_after: c.next_after,
        }
    }

    /// The number of pages when the count is exact; otherwise this page, and one more when it is full.
    pub fn pages(&self) -> u32 {
        match self.total_kind {
            TotalKind::Exact => (self.total.max(0) as u64).div_ceil(self.per_page as u64).max(1) as u32,
            _ => self.page + u32::from(self.has_next()),
        }
    }

    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        match self.total_kind {
            TotalKind::Exact => i64::from(self.page) * i64::from(self.per_page) < self.total,
            _ => self.items.len() as u32 >= self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_is_clamped_to_sane_values() {
        let p = ListParams {
            page: Some("0".into()),
            per_page: Some("5000".into()),
            sort: None,
            batch: None,
            after: None,
        };
        assert_eq!((p.page(), p.per_page(), p.offset()), (1, 200, 0));
        let p = ListParams {
            page: Some("3".into()),
            per_page: Some("10".into()),
            sort: None,
            batch: None,
            after: None,
        };
        assert_eq!(p.offset(), 20);
        // An export reads in batches larger than any page a query may ask for.
        let p = ListParams::batch(3, 5000, None);
        assert_eq!((p.per_page(), p.offset()), (5000, 10_000));
    }

    #[test]
    fn only_allowed_sort_columns_are_used() {
        let p = ListParams {
            sort: Some("-title".into()),
            ..Default::default()
        };
        assert_eq!(p.sort(&["title", "id"], ("id", true)), Ok(("title", true)));
        assert_eq!(
            ListParams::default().sort(&["title", "id"], ("id", true)),
            Ok(("id", true))
        );
        let p = ListParams {
            sort: Some("password; drop table".into()),
            ..Default::default()
        };
        let e = p.sort(&["title", "id"], ("id", true)).unwrap_err();
        assert!(e.get("sort").unwrap().zh.contains("可选：title、id"), "{e}");
    }

    #[test]
    fn a_page_or_page_size_that_is_not_a_whole_number_from_1_is_refused_by_name() {
        let p = |page: &str, per_page: &str| ListParams {
            page: Some(page.into()),
            per_page: Some(per_page.into()),
            sort: None,
            batch: None,
            after: None,
        };
        assert!(p("2", "50").check().is_ok());
        assert!(p("", " ").check().is_ok(), "blank is the default");
        assert!(
            p("1", "5000").check().is_ok(),
            "too many per page is served as the most"
        );
        let e = p("-1", "abc").check().unwrap_err();
        assert!(e.get("page").unwrap().zh.contains("“-1”不是有效的页码"), "{e}");
        assert!(
            e.get("per_page").unwrap().en.contains("“abc” is not a valid per_page"),
            "{e}"
        );
        assert!(p("0", "10").check().is_err());
        assert!(p("1.5", "10").check().is_err());
    }
}
