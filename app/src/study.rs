//! What the app shows about the study it serves.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyInfo {
    pub name: String,
    /// A demo study holds made-up people; every screen says so.
    pub is_demo: bool,
}

/// The study this server runs, or `None` before one is set up.
#[server(prefix = "/rpc", endpoint = "study_info")]
pub async fn load_study_info() -> Result<Option<StudyInfo>, AppError> {
    let directory = use_context::<ssr::StudyServices>().ok_or(AppError::Unavailable)?;
    directory.study_info().await.map_err(|cause| {
        tracing::error!(%cause, "study_info failed");
        AppError::Unavailable
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use super::StudyInfo;

    /// What the server provides in context for the study server functions.
    #[async_trait::async_trait]
    pub trait StudyService: Send + Sync {
        async fn study_info(&self) -> Result<Option<StudyInfo>, String>;
    }

    pub type StudyServices = Arc<dyn StudyService>;
}

/// A banner on every screen of a demo study, so nobody mistakes it for a real trial.
#[component]
pub fn StudyBanner() -> impl IntoView {
    let tr = crate::i18n::use_tr();
    let study = Resource::new(|| (), |_| load_study_info());

    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match study.await {
                    Ok(Some(info)) => {
                        view! {
                            <header class="study">
                                <span class="study-name" translate="no">{info.name}</span>
                                {info
                                    .is_demo
                                    .then(|| {
                                        view! {
                                            <span class="demo-badge" role="note">
                                                {tr.t("banner-demo")}
                                            </span>
                                        }
                                    })}
                            </header>
                        }
                            .into_any()
                    }
                    Ok(None) => ().into_any(),
                    Err(error) => {
                        view! {
                            <p class="notice error" role="alert">
                                {error.message(tr)}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
