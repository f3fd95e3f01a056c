//! The demo study: one site, an investigator, three participants (a
//! teenager who logs for herself, a child whose mother logs for him too, and
//! his younger brother, whom only she logs for) and that guardian, with four
//! weeks of diary, visit labs and alerts. Everything in it is made up and
//! marked so.
//!
//! The study and its accounts come first, in one transaction; the data
//! follows through the same use cases real data goes through (`apply`), so
//! a crash in between leaves a study that the next run completes.

mod apply;
pub mod diary;
pub mod labs;

use app::domain::{account::Role, language::Language};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use secrecy::SecretString;
use uuid::Uuid;

use crate::{
    audit::AuditContext,
    password,
    store::{DemoParticipant, DemoStudy, NewUser, Participant, SeedOutcome, Site, Store, Study},
};

/// A demo sign-in, printed when the demo starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub username: &'static str,
    /// Demo accounts hold made-up data only, so their passwords are public.
    pub password: &'static str,
    pub note: &'static str,
}

pub const STUDY_NAME: &str = "DEMO: UC-MSC in new-onset type 1 diabetes (made-up data)";
pub const SITE_CODE: &str = "DEMO";

pub const LOGINS: [DemoLogin; 4] = [
    DemoLogin {
        role: Role::Investigator,
        username: "demo.investigator",
        password: "sunrise-lantern-4821",
        note: "site DEMO",
    },
    DemoLogin {
        role: Role::Participant,
        username: "demo.teen",
        password: "paper-kite-7305",
        note: "participant DEMO-001, 15 years old, logs for herself (nothing logged for the last 3 days)",
    },
    DemoLogin {
        role: Role::Participant,
        username: "demo.child",
        password: "river-stone-2968",
        note: "participant DEMO-002, 9 years old; his mother logs for him too",
    },
    DemoLogin {
        role: Role::Guardian,
        username: "demo.guardian",
        password: "moon-bamboo-6142",
        note: "mother of DEMO-002 and DEMO-003",
    },
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    /// The demo's own data was refused or something it needs is missing: a
    /// bug of the demo, or a demo database changed by hand.
    #[error("the demo data could not be written: {0}")]
    Incomplete(String),
}

async fn account(login: &DemoLogin, display_name: &str) -> Result<NewUser, DemoError> {
    Ok(NewUser {
        id: Uuid::now_v7(),
        username: login.username.to_owned(),
        display_name: display_name.to_owned(),
        role: login.role,
        password_hash: password::hash(SecretString::from(login.password)).await?,
    })
}

/// The demo's days are counted back from today at its site, so the study
/// looks the same whatever day and time it is seeded.
struct SiteCalendar {
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
}

impl SiteCalendar {
    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    fn days_ago(&self, days: i64) -> NaiveDate {
        self.today() - Duration::days(days)
    }

    fn years_ago(&self, years: i32) -> i32 {
        self.today().year() - years
    }

    /// 09:00 at the site, `days` site days ago (the first instant after a
    /// daylight-saving gap, the earlier of an overlap).
    fn morning(&self, days: i64) -> DateTime<Utc> {
        let wall = self.days_ago(days).and_hms_opt(9, 0, 0).unwrap_or_default();
        self.tz
            .from_local_datetime(&wall)
            .earliest()
            .map_or(self.now - Duration::days(days), |t| t.with_timezone(&Utc))
    }
}

/// Seeds the demo study with its data, or completes what an interrupted
/// run left out; `AlreadyThere` when nothing was missing.
pub async fn seed(store: &dyn Store, context: &AuditContext) -> Result<SeedOutcome, DemoError> {
    let created =
        create_study(store, context, diary::ENROLLED_DAYS_AGO).await? == SeedOutcome::Seeded;
    let added = apply::fill(store, context).await?;
    Ok(if created || added {
        SeedOutcome::Seeded
    } else {
        SeedOutcome::AlreadyThere
    })
}

/// The demo study's site, accounts and participants as they were before
/// the demo had data: enrolled three weeks ago, nothing logged. Test
/// fixtures build their own data on it (and [`seed`] completes it).
pub async fn seed_study(
    store: &dyn Store,
    context: &AuditContext,
) -> Result<SeedOutcome, DemoError> {
    create_study(store, context, 21).await
}

/// The study, site, accounts and participants, enrolled `enrolled_days_ago`
/// site days ago, unless the demo study is there already.
async fn create_study(
    store: &dyn Store,
    context: &AuditContext,
    enrolled_days_ago: i64,
) -> Result<SeedOutcome, DemoError> {
    if store.study().await?.is_some_and(|s| s.is_demo) {
        return Ok(SeedOutcome::AlreadyThere);
    }
    let now = Utc::now();
    let calendar = SiteCalendar {
        now,
        tz: chrono_tz::Asia::Shanghai,
    };
    let site = Site {
        id: Uuid::now_v7(),
        code: SITE_CODE.into(),
        name: "Demo site (made-up)".into(),
        timezone: calendar.tz.name().into(),
        emergency_phone: "+86 000 0000 0000".into(),
    };
    let [investigator, teen, child, guardian] = &LOGINS;
    let participant = |study_id: &str, birth_year, diagnosed, user_id| Participant {
        id: Uuid::now_v7(),
        site_id: site.id,
        study_id: study_id.to_owned(),
        birth_year,
        diagnosis_date: diagnosed,
        weight_kg: None,
        user_id,
        enrolled_at: calendar.morning(enrolled_days_ago),
    };
    let teen_account = account(teen, "Demo teen").await?;
    let child_account = account(child, "Demo child").await?;
    let demo = DemoStudy {
        study: Study {
            id: Uuid::now_v7(),
            name: STUDY_NAME.into(),
            is_demo: true,
            created_at: now,
            // The made-up site is in Qingdao, as the first real one is.
            default_language: Language::ZhCn,
        },
        investigator: account(investigator, "Demo investigator").await?,
        participants: vec![
            DemoParticipant {
                participant: participant(
                    "DEMO-001",
                    calendar.years_ago(15),
                    calendar.days_ago(58),
                    Some(teen_account.id),
                ),
                account: Some(teen_account),
            },
            DemoParticipant {
                participant: participant(
                    "DEMO-002",
                    calendar.years_ago(9),
                    calendar.days_ago(44),
                    Some(child_account.id),
                ),
                account: Some(child_account),
            },
            // A younger sibling with no account of his own: only the
            // guardian logs for him, so she switches between two children.
            DemoParticipant {
                participant: participant(
                    "DEMO-003",
                    calendar.years_ago(6),
                    calendar.days_ago(40),
                    None,
                ),
                account: None,
            },
        ],
        guardian: account(guardian, "Demo parent").await?,
        guardian_of: vec!["DEMO-002".into(), "DEMO-003".into()],
        site,
    };
    Ok(store.seed_demo(&demo, context).await?)
}

/// The lines printed for a person starting the demo.
pub fn login_lines(base_url: &str) -> Vec<String> {
    let mut lines = vec![
        format!("Demo study \"{STUDY_NAME}\" at {base_url}"),
        "Demo sign-ins (made-up people; never enter real patient data here):".to_owned(),
    ];
    lines.extend(LOGINS.iter().map(|l| {
        format!(
            "  {:<13} {:<18} password {:<22} {}",
            l.role, l.username, l.password, l.note
        )
    }));
    lines.extend([
        "Try first:".to_owned(),
        format!(
            "  1. Sign in as {} and open Alerts: a severe low of DEMO-003 is waiting, its 24-hour reporting clock running.",
            LOGINS[0].username
        ),
        "  2. Open the participants: DEMO-001 has logged nothing for the last 3 days; open a participant's page for charts, labs and every version of each entry.".to_owned(),
        format!(
            "  3. Sign in as {} in a phone-sized window at {base_url}/diary to log for two children.",
            LOGINS[3].username
        ),
        "  4. Switch the language at the top of any page: 中文 / English (the demo site's default is Chinese).".to_owned(),
    ]);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printout_says_what_to_try_first() {
        let lines = login_lines("http://127.0.0.1:3000");
        let text = lines.join("\n");
        for login in &LOGINS {
            assert!(text.contains(login.username) && text.contains(login.password));
        }
        assert!(text.contains("Try first"));
        assert!(text.contains("http://127.0.0.1:3000/diary"));
        assert_eq!(LOGINS[0].role, Role::Investigator);
        assert_eq!(LOGINS[3].role, Role::Guardian);
    }
}
