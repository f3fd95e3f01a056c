//! Exports of the diary and labs, streamed: one participant's records are
//! read, written and sent before the next is read, so the whole study is
//! never in memory. A bounded channel between the writer and the response
//! holds back the writer when the client reads slowly.

pub mod csv;
pub mod fhir;
pub mod odm;
pub mod sdtm;

use std::{
    io::{self, Write},
    sync::{Arc, Mutex},
};

use axum::body::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::store::{EntryVersion, LabVersion, Participant, Site, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Odm,
    Fhir,
    Sdtm,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "csv" => Some(Format::Csv),
            "odm" => Some(Format::Odm),
            "fhir" => Some(Format::Fhir),
            "sdtm" => Some(Format::Sdtm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Odm => "odm",
            Format::Fhir => "fhir",
            Format::Sdtm => "sdtm",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv | Format::Sdtm => "application/zip",
            Format::Odm => "application/xml",
            Format::Fhir => "application/fhir+json",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "ediary-export.zip",
            Format::Odm => "ediary-export.xml",
            Format::Fhir => "ediary-export.fhir.json",
            Format::Sdtm => "ediary-sdtm.zip",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the export: {0}")]
    Write(#[from] io::Error),
    #[error("{0}")]
    Format(String),
    /// The client went away: nothing to report.
    #[error("the client stopped reading")]
    Gone,
}

impl From<zip::result::ZipError> for ExportError {
    fn from(e: zip::result::ZipError) -> Self {
        ExportError::Format(e.to_string())
    }
}

impl From<::csv::Error> for ExportError {
    fn from(e: ::csv::Error) -> Self {
        ExportError::Format(e.to_string())
    }
}

/// What an export covers: participants (with their sites), in a stable order.
pub struct Scope {
    pub participants: Vec<(Participant, Site)>,
}

/// One participant's records, read together.
pub struct Records {
    /// Every version of every entry, by event time, entry and version.
    pub versions: Vec<EntryVersion>,
    /// Every version of every lab, by lab and version.
    pub labs: Vec<LabVersion>,
}

impl Records {
    pub async fn read(store: &dyn Store, participant: Uuid) -> Result<Self, StoreError> {
        Ok(Self {
            versions: store.participant_versions(participant).await?,
            labs: store.lab_versions(participant).await?,
        })
    }

    /// The current version of each entry, in the order they are listed.
    pub fn current_entries(&self) -> Vec<&EntryVersion> {
        crate::store::latest_versions(&self.versions, |v| (v.entry_id, v.version))
    }

    /// The current version of each lab.
    pub fn current_labs(&self) -> Vec<&LabVersion> {
        crate::store::latest_versions(&self.labs, |v| (v.lab_id, v.version))
    }
}

/// An entry version's data and classification, read back.
pub(crate) fn decoded(
    v: &EntryVersion,
) -> Result<
    (
        app::domain::entry::EntryData,
        Option<app::domain::classification::Classification>,
    ),
    ExportError,
> {
    v.decoded().map_err(ExportError::Format)
}

/// A JSON enum value as its spelling ("before_meal").
pub(crate) fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A writer's output, shared so it can be drained while the writer lives.
#[derive(Clone, Default)]
pub struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    pub fn take(&self) -> Bytes {
        let mut buffer = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Bytes::from(std::mem::take(&mut *buffer))
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut buffer = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buffer.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where an export sends its bytes.
pub struct Out {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    pub sink: Sink,
}

impl Out {
    /// Sends what was written so far; waits while the client is behind.
    pub async fn flush(&mut self) -> Result<(), ExportError> {
        let chunk = self.sink.take();
        if chunk.is_empty() {
            return Ok(());
        }
        self.tx.send(Ok(chunk)).await.map_err(|_| ExportError::Gone)
    }
}

/// Runs `write` on a task and streams what it writes. A failure midway is
/// logged and ends the stream with an error, so the client sees a broken
/// download rather than a file that looks complete.
pub fn stream<F, Fut>(write: F) -> impl Stream<Item = Result<Bytes, io::Error>>
where
    F: FnOnce(Out) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), ExportError>> + Send,
{
    let (tx, rx) = mpsc::channel(4);
    let out = Out {
        tx: tx.clone(),
        sink: Sink::default(),
    };
    tokio::spawn(async move {
        match write(out).await {
            Ok(()) | Err(ExportError::Gone) => {}
            Err(e) => {
                tracing::error!(error = %e, "export failed");
                let _ = tx.send(Err(io::Error::other("the export failed"))).await;
            }
        }
    });
    // A closed channel answers `None` each time it is polled, so the body may
    // be polled after its end (the compression layer does that; `unfold`
    // would panic).
    let mut rx = rx;
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
