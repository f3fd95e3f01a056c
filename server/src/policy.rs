//! Who may do what. Every access decision of the API is made here; handlers
//! ask, they never decide themselves.

use app::domain::account::Role;
use uuid::Uuid;

use crate::store::{Participant, UserLinks};

/// The signed-in user as the policy sees them.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub role: Role,
    pub links: &'a UserLinks,
}

/// Sites, accounts and study settings are the admin's.
pub fn may_create_site(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// A site's name, time zone, emergency phone and alert contacts: the admin's.
pub fn may_change_site(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// The study's name, default language, thresholds, schedule and advice.
pub fn may_change_study_settings(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// Creating participants and inviting guardians: an investigator of the site.
pub fn may_manage_site(actor: &Actor, site: Uuid) -> bool {
    actor.role == Role::Investigator && actor.links.site_ids.contains(&site)
}

/// Investigators see their sites' participants; participants themselves and
/// guardians their children. Admins run the server, not the trial: no
/// health data.
pub fn may_view_participant(actor: &Actor, participant: &Participant) -> bool {
    match actor.role {
        Role::Investigator => actor.links.site_ids.contains(&participant.site_id),
        Role::Participant | Role::Guardian => actor.links.participant_ids.contains(&participant.id),
        Role::Admin => false,
    }
}

/// Whose diaries the actor may write through the sync: a participant their
/// own, a guardian their children's. Staff corrections take another path.
pub fn sync_scope(actor: &Actor) -> Option<Vec<Uuid>> {
    match actor.role {
        Role::Participant | Role::Guardian => Some(actor.links.participant_ids.clone()),
        Role::Investigator | Role::Admin => None,
    }
}

/// What `GET /participants` may list: (sites, participant ids), or `None`
/// when the role may not list participants at all.
pub fn participant_list_scope(actor: &Actor) -> Option<(Vec<Uuid>, Vec<Uuid>)> {
    match actor.role {
        Role::Investigator => Some((actor.links.site_ids.clone(), Vec::new())),
        Role::Guardian => Some((Vec::new(), actor.links.participant_ids.clone())),
        Role::Participant | Role::Admin => None,
    }
}

/// Whose roster the actor reviews: investigators their sites'.
pub fn roster_sites(actor: &Actor) -> Option<Vec<Uuid>> {
    match actor.role {
        Role::Investigator => Some(actor.links.site_ids.clone()),
        Role::Participant | Role::Guardian | Role::Admin => None,
    }
}

/// Whose data the actor may export in bulk: investigators their sites'.
/// The contract also names admins; they hold no health data here (see
/// `may_view_participant`), so they are refused until the trial decides.
pub fn export_scope(actor: &Actor) -> Option<Vec<Uuid>> {
    match actor.role {
        Role::Investigator => Some(actor.links.site_ids.clone()),
        Role::Participant | Role::Guardian | Role::Admin => None,
    }
}

/// The sites an actor reaches: a named enum rather than `Option<Vec<_>>`, so
/// "every site" cannot be mistaken for "no site".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteScope {
    /// Every site (admins).
    All,
    /// These sites only (an investigator's own).
    Sites(Vec<Uuid>),
}

impl SiteScope {
    /// Whether `site` is within the scope.
    pub fn allows(&self, site: Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Sites(sites) => sites.contains(&site),
        }
    }

    /// The store's site filter: `None` for every site.
    pub fn ids(&self) -> Option<&[Uuid]> {
        match self {
            Self::All => None,
            Self::Sites(sites) => Some(sites),
        }
    }

    /// Whether both reach the same sites, whatever their order: a stream
    /// keeps its reader only while their scope is what it began with.
    pub fn same_as(&self, other: &Self) -> bool {
        let sorted = |scope: &Self| {
            scope.ids().map(|ids| {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids
            })
        };
        sorted(self) == sorted(other)
    }
}

/// Which sites the actor sees: all (admins), their own (investigators), or
/// `None`, no access (participants and guardians).
pub fn site_scope(actor: &Actor) -> Option<SiteScope> {
    match actor.role {
        Role::Admin => Some(SiteScope::All),
        Role::Investigator => Some(SiteScope::Sites(actor.links.site_ids.clone())),
        Role::Participant | Role::Guardian => None,
    }
}

/// Which sites' alerts the actor sees and acts on: an investigator's own
/// sites. Admins get none: an alert names a participant and their event,
/// which is health data (the authorization matrix test holds this).
pub fn alert_scope(actor: &Actor) -> Option<SiteScope> {
    match actor.role {
        Role::Investigator => site_scope(actor),
        Role::Admin | Role::Participant | Role::Guardian => None,
    }
}

/// Staff read the study's settings (visit schedule, alert thresholds,
/// outcome settings): admins change them, investigators work by them.
pub fn may_read_study_settings(actor: &Actor) -> bool {
    actor.role.is_staff()
}

/// Whether an alert of `site` is within the actor's alert scope.
pub fn may_see_alert(actor: &Actor, site: Uuid) -> bool {
    alert_scope(actor).is_some_and(|scope| scope.allows(site))
}

/// Accounts are the admin's.
pub fn may_manage_accounts(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// What an audit query is about.
#[derive(Debug, Clone, Copy)]
pub enum AuditSubject {
    /// A participant of this site: their records and everything done on their behalf.
    Participant {
        site: Uuid,
    },
    Site(Uuid),
    /// Anything else: accounts, sessions, the study.
    Other,
}

/// Admins read the whole trail; investigators what concerns their sites.
pub fn may_read_audit(actor: &Actor, subject: AuditSubject) -> bool {
    match (actor.role, subject) {
        (Role::Admin, _) => true,
        (Role::Investigator, AuditSubject::Participant { site } | AuditSubject::Site(site)) => {
            actor.links.site_ids.contains(&site)
        }
        _ => false,
    }
}

/// How much of an audit row a reader gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditDetail {
    Full,
    /// Who, when, what kind of change and which record, without the
    /// values, notes and reasons the change held.
    WithoutHealthData,
}

/// Admins run the server, not the trial: they see no health data, in the
/// audit trail either. Investigators (of the row's site, checked by
/// [`may_read_audit`]) see it all.
pub fn audit_detail(actor: &Actor, row_concerns_health: bool) -> AuditDetail {
    if actor.role == Role::Investigator || !row_concerns_health {
        AuditDetail::Full
    } else {
        AuditDetail::WithoutHealthData
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;

    fn participant(site: Uuid) -> Participant {
        Participant {
            id: Uuid::now_v7(),
            site_id: site,
            study_id: "QD-001".into(),
            birth_year: 2014,
            diagnosis_date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            weight_kg: None,
            user_id: None,
            enrolled_at: Utc::now(),
        }
    }

    #[test]
    fn admins_read_audit_rows_about_health_without_their_content() {
        let none = UserLinks {
            site_ids: vec![],
            participant_ids: vec![],
        };
        let cases = [
            (Role::Admin, true, AuditDetail::WithoutHealthData),
            (Role::Admin, false, AuditDetail::Full),
            (Role::Investigator, true, AuditDetail::Full),
            (Role::Investigator, false, AuditDetail::Full),
        ];
        for (role, health, expected) in cases {
            let actor = Actor { role, links: &none };
            assert_eq!(audit_detail(&actor, health), expected, "{role} {health}");
        }
    }

    #[test]
    fn site_scopes() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let own = SiteScope::Sites(vec![a, b]);
        assert!(SiteScope::All.allows(a) && own.allows(b));
        assert!(!SiteScope::Sites(vec![a]).allows(b));
        assert_eq!((SiteScope::All.ids(), own.ids()), (None, Some(&[a, b][..])));
        assert!(own.same_as(&SiteScope::Sites(vec![b, a])));
        assert!(!own.same_as(&SiteScope::All) && !own.same_as(&SiteScope::Sites(vec![a])));
        let links = UserLinks {
            site_ids: vec![a],
            participant_ids: vec![],
        };
        let actor = |role| Actor {
            role,
            links: &links,
        };
        assert_eq!(site_scope(&actor(Role::Admin)), Some(SiteScope::All));
        assert_eq!(alert_scope(&actor(Role::Admin)), None);
        assert_eq!(
            alert_scope(&actor(Role::Investigator)),
            Some(SiteScope::Sites(vec![a]))
        );
        assert_eq!(site_scope(&actor(Role::Guardian)), None);
    }

    #[test]
    fn decisions() {
        let (site, other_site) = (Uuid::now_v7(), Uuid::now_v7());
        let child = participant(site);
        let other_child = participant(site);
        let elsewhere = participant(other_site);
        let links = |sites: &[Uuid], ids: &[Uuid]| UserLinks {
            site_ids: sites.to_vec(),
            participant_ids: ids.to_vec(),
        };
        let admin = links(&[], &[]);
        let investigator = links(&[site], &[]);
        let guardian = links(&[], &[child.id]);
        let own = links(&[], &[child.id]);
        assert_eq!(
            sync_scope(&Actor {
                role: Role::Guardian,
                links: &guardian
            }),
            Some(vec![child.id])
        );
        assert_eq!(
            sync_scope(&Actor {
                role: Role::Investigator,
                links: &investigator
            }),
            None
        );
        let cases = [
            (Role::Admin, &admin, true, false, false, false),
            (Role::Investigator, &investigator, false, true, true, false),
            (Role::Guardian, &guardian, false, false, true, false),
            (Role::Participant, &own, false, false, true, false),
        ];
        for (role, links, create_site, manage, view_child, view_elsewhere) in cases {
            let actor = Actor { role, links };
            assert_eq!(may_create_site(&actor), create_site, "{role}");
            assert_eq!(may_change_site(&actor), create_site, "{role}");
            assert_eq!(may_change_study_settings(&actor), create_site, "{role}");
            assert_eq!(may_manage_site(&actor, site), manage, "{role}");
            assert!(!may_manage_site(&actor, other_site), "{role}");
            assert_eq!(may_view_participant(&actor, &child), view_child, "{role}");
            assert_eq!(
                may_view_participant(&actor, &elsewhere),
                view_elsewhere,
                "{role}"
            );
        }
        let actor = Actor {
            role: Role::Guardian,
            links: &guardian,
        };
        assert!(
            !may_view_participant(&actor, &other_child),
            "a guardian sees only their own child"
        );
        assert!(
            participant_list_scope(&Actor {
                role: Role::Admin,
                links: &admin
            })
            .is_none()
        );
        assert!(
            participant_list_scope(&Actor {
                role: Role::Participant,
                links: &own
            })
            .is_none()
        );
    }
}
