//! Who may see and change what (product.md, "Who may see what"), as pure functions. The store
//! applies them to every read and write; nothing else decides.
//!
//! - office: everything.
//! - coordinator: the subtree of one organisation (a county, a college): reads and writes there.
//! - unit: one organisation: reads its projects and their schedules, keeps the milestones and
//!   evidence of projects it leads or co-leads.
//! - enterprise: its own organisation: reads its projects, keeps its profile and contacts.
//! - enterprise: also posts and keeps its own demands.
//! - expert: one person: their profile (with papers, patents and results) and the projects they are
//!   responsible for.
//! - leader: reads everything, changes nothing.

use crate::{Msg, RecordKind, code_enum};

code_enum!(
    Role {
        Office = "office", "协调办", "Coordination office";
        Coordinator = "coordinator", "区县/学院联络员", "Coordinator";
        Unit = "unit", "责任单位", "Responsible unit";
        Enterprise = "enterprise", "企业", "Enterprise";
        Expert = "expert", "专家", "Expert";
        Leader = "leader", "领导（只读）", "Leader (read-only)";
    }
);

/// What part of the records a user reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// An organisation and everything under it in the tree.
    Subtree(i64),
    /// One organisation.
    Org(i64),
    /// One person (an expert), and the organisation they belong to.
    Person {
        person_id: i64,
        org_id: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Archive,
}

impl Role {
    /// Which anchor a user of this role needs: an organisation, a person, or nothing.
    pub fn needs(self) -> Anchor {
        match self {
            Role::Office | Role::Leader => Anchor::None,
            Role::Coordinator | Role::Unit | Role::Enterprise => Anchor::Organization,
            Role::Expert => Anchor::Person,
        }
    }

    /// The scope of a user of this role anchored at `org` / `person`.
    pub fn scope(self, org: Option<i64>, person: Option<(i64, i64)>) -> Option<Scope> {
        match self {
            Role::Office | Role::Leader => Some(Scope::All),
            Role::Coordinator => org.map(Scope::Subtree),
            Role::Unit | Role::Enterprise => org.map(Scope::Org),
            Role::Expert => person.map(|(person_id, org_id)| Scope::Person { person_id, org_id }),
        }
    }

    /// Whether this role may ever do `action` on `kind` (inside its scope).
    pub fn may(self, kind: RecordKind, action: Action) -> bool {
        use RecordKind::*;
        if kind == Attachment {
            // Files are added and archived on records the user can see; never edited in place.
            return action != Action::Update && self.may_attach();
        }
        match self {
            Role::Office => true,
            // The year's project list is the office's; accepting reports too.
            Role::Coordinator => match kind {
                // Platforms' yearly evaluations are the office's.
                // Notices on the public portal too.
                User | Batch | Bulletin | Match | PlatformEvaluation | AnnualReview | Notice => false,
                ProgressReport => action == Action::Create,
                _ => true,
            },
            Role::Leader => false,
            Role::Unit => match kind {
                Milestone => action != Action::Archive,
                // Reporting its own outcomes, and amending them until confirmed.
                Outcome => action != Action::Archive,
                // Filing (and amending) reports, raising problems.
                ProgressReport | Problem => action == Action::Create,
                // Reporting how the decisions it owns stand.
                Decision => action == Action::Update,
                // Its own robots and webhooks (issue 18).
                Webhook => true,
                _ => false,
            },
            Role::Enterprise => match kind {
                Organization => action == Action::Update,
                Person | Demand | Outcome => action != Action::Archive,
                ProgressReport | Problem => action == Action::Create,
                // Writing on the threads of its demands and their matches (editing its own).
                Message => action != Action::Archive,
                _ => false,
            },
            // Their profile, its papers and patents, and the results they own.
            Role::Expert => match kind {
                // Answering a match: accepting or declining.
                Person | Match => action == Action::Update,
                ExpertWork => true,
                ResearchResult => action != Action::Archive,
                // A secondee's reports, a chief expert's service log.
                SecondmentReport | ServiceLog => action != Action::Archive,
                // Writing on the threads of the demands and matches they are in (editing their own).
                Message => action != Action::Archive,
                _ => false,
            },
        }
    }

    /// Whether this role reviews demands, steers them through matching and merges duplicates.
    pub fn may_review_demands(self) -> bool {
        self == Role::Office
    }

    /// Whether this role may attach files to records it can see (evidence, minutes, contracts).
    pub fn may_attach(self) -> bool {
        self != Role::Leader
    }

    /// Whether this role may comment on the problems it can see (the thread of a problem page):
    /// everyone who works on them, so not the leader, who reads.
    pub fn may_comment(self) -> bool {
        self != Role::Leader
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    None,
    Organization,
    Person,
}

/// The refusal shown when a role may not do something at all (403).
pub fn forbidden() -> Msg {
    Msg::new("您的角色无权执行此操作", "Your role may not do this")
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecordKind::*;

    #[test]
    fn a_leader_reads_everything_and_changes_nothing() {
        assert_eq!(Role::Leader.scope(None, None), Some(Scope::All));
        for k in RecordKind::ALL {
            for a in [Action::Create, Action::Update, Action::Archive] {
                assert!(!Role::Leader.may(k, a));
            }
        }
        assert!(!Role::Leader.may_attach());
        assert!(!Role::Leader.may_comment());
    }

    #[test]
    fn a_unit_keeps_milestones_but_not_projects() {
        assert!(Role::Unit.may(Milestone, Action::Update));
        assert!(!Role::Unit.may(Project, Action::Update));
        assert!(!Role::Unit.may(Organization, Action::Create));
    }

    #[test]
    fn scoped_roles_need_their_anchor() {
        assert_eq!(Role::Coordinator.scope(None, None), None);
        assert_eq!(Role::Coordinator.scope(Some(7), None), Some(Scope::Subtree(7)));
        assert_eq!(
            Role::Expert.scope(Some(7), Some((3, 7))),
            Some(Scope::Person {
                person_id: 3,
                org_id: 7
            })
        );
    }
}
