//! What waits for a user, as the short lists their home page opens with (`templates/waiting.html`):
//! built by `crate::home`, shown on the home pages and on the board.

/// One line of a waiting list: what, where it leads, and a note (a date, a reason).
pub struct WaitRow {
    pub text: String,
    pub href: String,
    pub note: String,
    /// Overdue or refused: the note is shown in red.
    pub warn: bool,
}

/// A list of what waits for the user, with how many in all (`templates/waiting.html`).
pub struct WaitingList {
    pub id: &'static str,
    pub title: String,
    pub total: i64,
    pub rows: Vec<WaitRow>,
    /// "all …": (label, href).
    pub more: Option<(String, String)>,
    pub empty: String,
}

impl WaitingList {
    pub fn new(id: &'static str, title: &str, empty: &str) -> Self {
        WaitingList {
            id,
            title: title.into(),
            total: 0,
            rows: Vec::new(),
            more: None,
            empty: empty.into(),
        }
    }
    pub fn more(mut self, label: &str, href: impl Into<String>) -> Self {
        if self.total > self.rows.len() as i64 {
            self.more = Some((format!("{label}（{}）", self.total), href.into()));
        }
        self
    }
}
