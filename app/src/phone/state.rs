//! The phone app's state, shared by every screen through context: what the
//! phone holds (IndexedDB), who is signed in, the sync status and the
//! screen on show; and the actions that change it.

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;
use uuid::Uuid;

use super::{
    i18n, local, model,
    model::{OutMutation, Pending, Row, ServerEntry},
    sync,
};
use crate::{
    diary::{DiaryOwner, DiaryProfile},
    domain::{glucose::GlucoseUnit, language::Language},
    i18n::Tr,
};

pub use super::model::Settings;

/// Where the app is in starting up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Opening,
    Ready,
    /// Nobody signed in and nothing on the phone.
    NoSession,
    NoDiary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    Idle,
    Sending,
    Offline,
    /// The session ended: the outbox waits for the next sign-in.
    SignedOut,
    Failed,
}

impl SyncState {
    /// For the page's `data-state` (tests and styles read it).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Idle => "idle",
            SyncState::Sending => "sending",
            SyncState::Offline => "offline",
            SyncState::SignedOut => "signedout",
            SyncState::Failed => "failed",
        }
    }
}

/// The form being filled: a new entry, a change to one, or a fix of a
/// mutation the server refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    New,
    Change(Box<Row>),
    /// Send again under new ids; the refused outbox record (key) goes.
    Fix(Box<Row>, String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Today,
    Glucose(Editing),
    Insulin(Editing),
    Low(Editing),
    Emergency,
    History,
    Settings,
}

/// The app's state, shared by every screen through context.
#[derive(Clone, Copy)]
pub struct Phone {
    pub load: RwSignal<Load>,
    pub settings: RwSignal<Settings>,
    pub profile: RwSignal<Option<DiaryProfile>>,
    pub child: RwSignal<Option<Uuid>>,
    pub entries: RwSignal<Vec<ServerEntry>>,
    pub outbox: RwSignal<Vec<Pending>>,
    pub sync: RwSignal<SyncState>,
    pub last_sync: RwSignal<Option<DateTime<FixedOffset>>>,
    pub screen: RwSignal<Screen>,
    /// A short message after saving ("Saved.").
    pub flash: RwSignal<Option<String>>,
    /// The language the server chose for the page (`<html lang>`: the
    /// account's preference, the browser's, the study's default), for a
    /// person who has not picked one on this phone.
    page_language: Language,
    device: RwSignal<Option<Uuid>>,
    /// (a sync runs, another was asked for meanwhile)
    busy: StoredValue<(bool, bool)>,
}

/// Keys of the small values in IndexedDB.
pub const KEY_DEVICE: &str = "device_id";
/// In localStorage, not IndexedDB (see `set_settings`).
pub const KEY_SETTINGS: &str = "ediary.settings";
pub const KEY_PROFILE: &str = "profile";
pub const KEY_LAST_SYNC: &str = "last_sync";

pub fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

impl Phone {
    pub fn new() -> Self {
        Self {
            load: RwSignal::new(Load::Opening),
            settings: RwSignal::new(Settings::default()),
            profile: RwSignal::new(None),
            child: RwSignal::new(None),
            entries: RwSignal::new(Vec::new()),
            outbox: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncState::Idle),
            last_sync: RwSignal::new(None),
            screen: RwSignal::new(Screen::Today),
            flash: RwSignal::new(None),
            page_language: crate::i18n::page_language(),
            device: RwSignal::new(None),
            busy: StoredValue::new((false, false)),
        }
    }

    /// The person's choice on this phone, else the page's language.
    pub fn language(&self) -> Language {
        self.settings.with(|s| s.lang).unwrap_or(self.page_language)
    }

    /// The phone's words in the person's language.
    pub fn tr(&self) -> Tr {
        i18n::tr(self.language())
    }

    pub fn unit(&self) -> GlucoseUnit {
        self.settings
            .with(|s| s.unit)
            .unwrap_or_else(|| i18n::default_unit(self.language()))
    }

    pub fn me(&self) -> Option<Uuid> {
        self.profile.with(|p| p.as_ref().map(|p| p.user_id))
    }

    /// The participant being logged for.
    pub fn owner(&self) -> Option<DiaryOwner> {
        let child = self.child.get();
        self.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.owners.iter().find(|o| Some(o.participant_id) == child))
                .cloned()
        })
    }

    /// The chosen participant's entries with the outbox laid over them.
    pub fn rows(&self) -> Vec<Row> {
        let (Some(child), Some(me)) = (self.child.get(), self.me()) else {
            return Vec::new();
        };
        self.entries
            .with(|e| self.outbox.with(|o| model::overlay(e, o, child, me)))
    }

    /// This user's mutations not yet taken by the server, and refused ones.
    pub fn counts(&self) -> (usize, usize) {
        let me = self.me();
        self.outbox.with(|o| {
            let mine = o.iter().filter(|p| Some(p.user_id) == me);
            let refused = mine.clone().filter(|p| p.refused.is_some()).count();
            (mine.count() - refused, refused)
        })
    }

    /// A new UUID from the browser's generator.
    pub fn new_id() -> Uuid {
        if let Some(id) = window()
            .crypto()
            .ok()
            .and_then(|c| Uuid::parse_str(&c.random_uuid()).ok())
        {
            return id;
        }
        Uuid::now_v7()
    }

    /// Saves a mutation in the outbox (durably, before anything else) and
    /// starts sending it.
    pub fn save(&self, mutation: OutMutation, drop_key: Option<String>, message: String) {
        let Some(me) = self.me() else { return };
        // Milliseconds first: the outbox sends in the order of saving.
        let key = format!("{:015}-{}", now().timestamp_millis(), mutation.id);
        let pending = Pending {
            key,
            user_id: me,
            mutation,
            refused: None,
        };
        let phone = *self;
        leptos::task::spawn_local(async move {
            let saved = async {
                let local = local::local().await?;
                local.queue(&pending).await?;
                if let Some(key) = &drop_key {
                    local.drop_pending(key).await?;
                }
                Ok::<_, local::LocalError>(())
            }
            .await;
            match saved {
                Ok(()) => {
                    phone.outbox.update(|o| {
                        o.retain(|p| Some(&p.key) != drop_key.as_ref());
                        o.push(pending);
                    });
                    phone.flash.set(Some(message));
                    phone.sync_now();
                }
                Err(e) => {
                    leptos::logging::warn!("outbox: {e}");
                    phone.flash.set(Some(phone.tr().t("phone-err-saving")));
                }
            }
        });
    }

    /// Drops a refused mutation (the server keeps its own record of it).
    pub fn discard(&self, key: String) {
        let phone = *self;
        leptos::task::spawn_local(async move {
            if let Ok(local) = local::local().await
                && local.drop_pending(&key).await.is_ok()
            {
                phone.outbox.update(|o| o.retain(|p| p.key != key));
            }
        });
    }

    /// Settings live in localStorage: read without waiting, so the first
    /// screen is drawn in the right language and unit.
    pub fn set_settings(&self, settings: Settings) {
        if let (Ok(Some(storage)), Ok(text)) =
            (window().local_storage(), serde_json::to_string(&settings))
        {
            let _ = storage.set_item(KEY_SETTINGS, &text);
        }
        self.settings.set(settings);
        show_language(self.language());
    }

    /// What this phone remembers. A person who never picked a language has
    /// none stored and reads the page's language (`language`), which the
    /// server chose, not the browser's `navigator.language`.
    fn stored_settings() -> Settings {
        window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(KEY_SETTINGS).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Sends the outbox and pulls changes; a call while a sync runs makes
    /// that sync go round once more.
    pub fn sync_now(&self) {
        let (running, _) = self.busy.get_value();
        if running {
            self.busy.set_value((true, true));
            return;
        }
        self.busy.set_value((true, false));
        let phone = *self;
        leptos::task::spawn_local(async move {
            loop {
                phone.sync_once().await;
                let (_, again) = phone.busy.get_value();
                if !again {
                    break;
                }
                phone.busy.set_value((true, false));
            }
            phone.busy.set_value((false, false));
        });
    }

    async fn sync_once(&self) {
        let (Some(me), Some(device)) = (self.me(), self.device.get_untracked()) else {
            return;
        };
        if self.sync.get_untracked() == SyncState::SignedOut {
            return;
        }
        let Ok(local) = local::local().await else {
            return;
        };
        self.sync.set(SyncState::Sending);
        let outcome = sync::sync(&local, device, me).await;
        let state = match &outcome {
            Ok(_) => {
                let at = now();
                self.last_sync.set(Some(at));
                let _ = local
                    .set(&format!("{KEY_LAST_SYNC}:{me}"), &at.to_rfc3339())
                    .await;
                SyncState::Idle
            }
            Err(sync::SyncError::Offline) => SyncState::Offline,
            Err(sync::SyncError::SignedOut) => {
                self.session_ended();
                SyncState::SignedOut
            }
            Err(e) => {
                leptos::logging::warn!("sync: {e}");
                SyncState::Failed
            }
        };
        self.reload(&local).await;
        self.sync.set(state);
    }
    async fn reload(&self, local: &local::Local) {
        if let Ok(entries) = local.entries().await {
            self.entries.set(entries);
        }
        if let Ok(outbox) = local.outbox().await {
            self.outbox.set(outbox);
        }
    }

    /// Shows the app from the profile that came with the page, else from
    /// what the phone holds, then asks the server, then syncs. Works with no
    /// network from what the phone holds.
    pub fn start(&self) {
        self.settings.set(Self::stored_settings());
        let embedded: Option<DiaryProfile> = document()
            .get_element_by_id(crate::pages::diary::PROFILE_ID)
            .and_then(|e| e.text_content())
            .and_then(|text| serde_json::from_str(&text).ok());
        // Before any storage is read: the first screen needs nothing else.
        if let Some(profile) = &embedded {
            self.show(profile.clone());
        }
        let phone = *self;
        leptos::task::spawn_local(async move { phone.open(embedded).await });
    }

    async fn open(&self, embedded: Option<DiaryProfile>) {
        use crate::error::AppError;
        let local = match local::local().await {
            Ok(local) => local,
            Err(e) => {
                leptos::logging::warn!("storage: {e}");
                self.load.set(Load::NoSession);
                return;
            }
        };
        let device = match local.get::<Uuid>(KEY_DEVICE).await {
            Ok(Some(id)) => id,
            _ => {
                let id = Self::new_id();
                let _ = local.set(KEY_DEVICE, &id).await;
                id
            }
        };
        self.device.set(Some(device));
        let kept: Option<DiaryProfile> = local.get(KEY_PROFILE).await.ok().flatten();
        if embedded.is_none()
            && let Some(kept) = &kept
        {
            self.show(kept.clone());
        }
        self.reload(&local).await;
        let mut answer = crate::diary::load_diary_profile().await;
        if answer == Err(AppError::SignInFirst) && sync::refresh().await {
            answer = crate::diary::load_diary_profile().await;
        }
        match answer {
            Ok(fresh) => {
                if kept.as_ref().is_some_and(|k| k.user_id != fresh.user_id) {
                    // Another person signed in on this phone: the last
                    // person's entries are theirs, not to be shown.
                    let _ = local.forget_server_data(&[KEY_PROFILE]).await;
                    self.entries.set(Vec::new());
                }
                let _ = local.set(KEY_PROFILE, &fresh).await;
                if self.profile.get_untracked().as_ref() != Some(&fresh) {
                    self.show(fresh);
                }
                self.sync.set(SyncState::Idle);
                self.sync_now();
            }
            Err(e) => {
                self.sync.set(if e == AppError::SignInFirst {
                    self.session_ended();
                    SyncState::SignedOut
                } else {
                    SyncState::Offline
                });
                if self.profile.get_untracked().is_none() {
                    self.load.set(Load::NoSession);
                }
            }
        }
    }

    /// Whose diaries to show; the child shown stays if still listed.
    fn show(&self, profile: DiaryProfile) {
        let user = profile.user_id;
        let current = self.child.get_untracked();
        let child = profile
            .owners
            .iter()
            .find(|o| Some(o.participant_id) == current)
            .or(profile.owners.first())
            .map(|o| o.participant_id);
        let no_diary = profile.owners.is_empty();
        self.profile.set(Some(profile));
        self.child.set(child);
        self.load
            .set(if no_diary { Load::NoDiary } else { Load::Ready });
        let phone = *self;
        leptos::task::spawn_local(async move {
            if let Ok(local) = local::local().await
                && let Ok(Some(at)) = local
                    .get::<String>(&format!("{KEY_LAST_SYNC}:{user}"))
                    .await
                && let Ok(at) = DateTime::parse_from_rfc3339(&at)
            {
                phone.last_sync.set(Some(at));
            }
        });
    }

    /// The server says the session is over (ended on another device,
    /// expired, the account disabled): the server's data kept on this phone
    /// and the offline copies of its pages go, as at sign-out; the outbox
    /// stays for the next sign-in.
    fn session_ended(&self) {
        let me = self.me();
        let phone = *self;
        leptos::task::spawn_local(async move {
            if let Ok(local) = local::local().await {
                let cursor = me.map(|m| format!("cursor:{m}")).unwrap_or_default();
                let _ = local.forget_server_data(&[KEY_PROFILE, &cursor]).await;
                // Off the screen too (a lost phone): what waits to be sent stays.
                phone.reload(&local).await;
            }
            crate::forget_offline_pages().await;
        });
    }

    /// Forgets the server's data on this phone and ends the session; the
    /// outbox stays for the next sign-in.
    pub fn sign_out(&self) {
        let me = self.me();
        leptos::task::spawn_local(async move {
            let _ = crate::session::sign_out().await;
            if let Ok(local) = local::local().await {
                let cursor = me.map(|m| format!("cursor:{m}")).unwrap_or_default();
                let _ = local.forget_server_data(&[KEY_PROFILE, &cursor]).await;
            }
            crate::forget_offline_pages().await;
            let _ = window().location().set_href("/");
        });
    }
}

/// Puts the app's language on the page (`<html lang>`), for screen readers,
/// fonts and hyphenation.
pub fn show_language(language: Language) {
    if let Some(html) = document().document_element()
        && html.get_attribute("lang").as_deref() != Some(language.tag())
    {
        let _ = html.set_attribute("lang", language.tag());
    }
}

impl Default for Phone {
    fn default() -> Self {
        Self::new()
    }
}
