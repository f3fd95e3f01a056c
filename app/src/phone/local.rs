//! What the phone keeps in IndexedDB: the outbox (mutations not yet taken by
//! the server), the entries and versions the server sent, and small values
//! (device id, settings, profile, pull cursor). Records are stored as JSON
//! text so the Rust types stay the single description of their shape.
//! A transaction only ever awaits its own requests (an IndexedDB transaction
//! ends when the event loop turns with nothing asked of it).

use std::{cell::RefCell, rc::Rc};

use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::model::{Pending, ServerEntry};

const DB: &str = "ediary";
const KV: &str = "kv";
const OUTBOX: &str = "outbox";
const ENTRIES: &str = "entries";
const VERSIONS: &str = "versions";

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("the phone's storage is not available: {0}")]
    Storage(String),
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
}

impl From<rexie::Error> for LocalError {
    fn from(e: rexie::Error) -> Self {
        LocalError::Storage(e.to_string())
    }
}

type Result<T> = std::result::Result<T, LocalError>;

pub struct Local {
    db: Rexie,
}

thread_local! {
    static OPEN: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
}

/// The database, opened once per page.
pub async fn local() -> Result<Rc<Local>> {
    if let Some(open) = OPEN.with(|o| o.borrow().clone()) {
        return Ok(open);
    }
    let db = Rexie::builder(DB)
        .version(1)
        .add_object_store(ObjectStore::new(KV))
        .add_object_store(ObjectStore::new(OUTBOX))
        .add_object_store(ObjectStore::new(ENTRIES))
        .add_object_store(ObjectStore::new(VERSIONS))
        .build()
        .await?;
    let open = Rc::new(Local { db });
    OPEN.with(|o| *o.borrow_mut() = Some(open.clone()));
    Ok(open)
}

fn to_text<T: Serialize>(value: &T) -> Result<JsValue> {
    serde_json::to_string(value)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| LocalError::Corrupt(e.to_string()))
}

fn from_text<T: DeserializeOwned>(value: &JsValue) -> Result<T> {
    let text = value
        .as_string()
        .ok_or_else(|| LocalError::Corrupt("not text".into()))?;
    serde_json::from_str(&text).map_err(|e| LocalError::Corrupt(e.to_string()))
}

fn version_key(entry: &ServerEntry) -> JsValue {
    JsValue::from_str(&format!("{}/{:010}", entry.id, entry.version))
}

/// The keys of one entry's versions ("{id}/..." sorts after "{id}/" and
/// before "{id}0").
fn versions_of(entry: Uuid) -> Result<KeyRange> {
    KeyRange::bound(
        &JsValue::from_str(&format!("{entry}/")),
        &JsValue::from_str(&format!("{entry}0")),
        Some(false),
        Some(true),
    )
    .map_err(|e| LocalError::Storage(e.to_string()))
}

impl Local {
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let tx = self.db.transaction(&[KV], TransactionMode::ReadOnly)?;
        let value = tx.store(KV)?.get(JsValue::from_str(key)).await?;
        value
            .filter(|v| !v.is_undefined())
            .map(|v| from_text(&v))
            .transpose()
    }

    pub async fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self.db.transaction(&[KV], TransactionMode::ReadWrite)?;
        tx.store(KV)?
            .put(&to_text(value)?, Some(&JsValue::from_str(key)))
            .await?;
        tx.done().await?;
        Ok(())
    }

    /// The whole outbox, in the order things were saved.
    pub async fn outbox(&self) -> Result<Vec<Pending>> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.store(OUTBOX)?.get_all(None, None).await?;
        values.iter().map(from_text).collect()
    }

    /// Puts a mutation in the outbox (or replaces one under the same key);
    /// committed before this returns, so a closed tab loses nothing.
    pub async fn queue(&self, pending: &Pending) -> Result<()> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        tx.store(OUTBOX)?
            .put(&to_text(pending)?, Some(&JsValue::from_str(&pending.key)))
            .await?;
        tx.done().await?;
        Ok(())
    }

    /// Takes a refused mutation out of the outbox: the server keeps its own
    /// record of it.
    pub async fn drop_pending(&self, key: &str) -> Result<()> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
        tx.store(OUTBOX)?.delete(JsValue::from_str(key)).await?;
        tx.done().await?;
        Ok(())
    }

    pub async fn entries(&self) -> Result<Vec<ServerEntry>> {
        let tx = self.db.transaction(&[ENTRIES], TransactionMode::ReadOnly)?;
        let values = tx.store(ENTRIES)?.get_all(None, None).await?;
        values.iter().map(from_text).collect()
    }

    /// Every version of an entry this phone has seen, oldest first.
    pub async fn versions(&self, entry: Uuid) -> Result<Vec<ServerEntry>> {
        let tx = self
            .db
            .transaction(&[VERSIONS], TransactionMode::ReadOnly)?;
        let values = tx
            .store(VERSIONS)?
            .get_all(Some(versions_of(entry)?), None)
            .await?;
        values.iter().map(from_text).collect()
    }

    pub async fn keep_versions(&self, versions: &[ServerEntry]) -> Result<()> {
        let tx = self
            .db
            .transaction(&[VERSIONS], TransactionMode::ReadWrite)?;
        let store = tx.store(VERSIONS)?;
        for v in versions {
            store.put(&to_text(v)?, Some(&version_key(v))).await?;
        }
        tx.done().await?;
        Ok(())
    }

    /// A sync answer, applied at once: sent mutations leave the outbox,
    /// refused ones are marked, pulled entries and the new cursor are kept.
    /// All or nothing, so a crash in between never sends twice or skips a
    /// change.
    pub async fn apply_answer(
        &self,
        sent: &[String],
        refused: &[Pending],
        changes: &[ServerEntry],
        cursor_key: &str,
        cursor: &str,
    ) -> Result<()> {
        let tx = self
            .db
            .transaction(&[OUTBOX, ENTRIES, VERSIONS, KV], TransactionMode::ReadWrite)?;
        let outbox = tx.store(OUTBOX)?;
        for key in sent {
            outbox.delete(JsValue::from_str(key)).await?;
        }
        for pending in refused {
            outbox
                .put(&to_text(pending)?, Some(&JsValue::from_str(&pending.key)))
                .await?;
        }
        let entries = tx.store(ENTRIES)?;
        let versions = tx.store(VERSIONS)?;
        for entry in changes {
            let text = to_text(entry)?;
            entries
                .put(&text, Some(&JsValue::from_str(&entry.id.to_string())))
                .await?;
            versions.put(&text, Some(&version_key(entry))).await?;
        }
        tx.store(KV)?
            .put(&to_text(&cursor)?, Some(&JsValue::from_str(cursor_key)))
            .await?;
        tx.done().await?;
        Ok(())
    }

    /// Forgets what the server sent (entries, versions, the cursor and the
    /// profile), for a sign-out or another person signing in. The outbox
    /// stays: it is sent once its owner signs in again.
    pub async fn forget_server_data(&self, keys: &[&str]) -> Result<()> {
        let tx = self
            .db
            .transaction(&[ENTRIES, VERSIONS, KV], TransactionMode::ReadWrite)?;
        tx.store(ENTRIES)?.clear().await?;
        tx.store(VERSIONS)?.clear().await?;
        let kv = tx.store(KV)?;
        for key in keys {
            kv.delete(JsValue::from_str(key)).await?;
        }
        tx.done().await?;
        Ok(())
    }
}
