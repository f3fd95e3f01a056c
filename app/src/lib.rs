//! The T1D eDiary web app: Leptos components, routes and server functions,
//! shared by the server (feature `ssr`) and the phone/browser (feature `hydrate`).

// The phone app's views nest deep enough to pass rustc's default limit.
#![recursion_limit = "256"]

pub mod diary;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod inbox;
pub mod pages;
pub mod participants;
pub mod phone;
pub mod review;
pub mod session;
pub mod settings_client;
pub mod study;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::pages::{
    diary::Diary, enroll::Enroll, inbox::Inbox, mfa_setup::MfaSetup,
    new_participant::NewParticipant, not_found::NotFound, participant::Participant, roster::Roster,
    sessions::Sessions, sign_in::SignIn, study_outcomes::StudyOutcomes,
    study_settings::StudySettings,
};

/// The service worker's cache (`CACHE` in public/sw.js): emptied at sign-out.
pub const OFFLINE_CACHE: &str = "ediary-shell-v2";

/// Empties the offline cache and waits until it is gone: a page left at once
/// would abandon the deletion half-way.
#[cfg(feature = "hydrate")]
pub async fn forget_offline_pages() {
    if let Ok(caches) = leptos::prelude::window().caches() {
        let _ = wasm_bindgen_futures::JsFuture::from(caches.delete(OFFLINE_CACHE)).await;
    }
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::set_security_policy();

    let language = i18n::page_language();
    view! {
        <!DOCTYPE html>
        <html lang=language.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#0b5f8a" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos" />
                {page_scripts(options)}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The main bundle hydrates the staff pages. The phone app's page loads the
/// phone bundle (`phone-frontend`) instead, and the pages families open
/// first (sign-in, enrolment) are plain forms with a small script of their
/// own that fetch the phone bundle ahead (`ssr::light_scripts`).
fn page_scripts(options: LeptosOptions) -> impl IntoView {
    use leptos::either::EitherOf3;
    #[cfg(feature = "ssr")]
    let (phone, light) = (ssr::phone_scripts(), ssr::light_scripts());
    #[cfg(not(feature = "ssr"))]
    let (phone, light): (Option<()>, Option<()>) = (None, None);
    match (phone, light) {
        (Some(scripts), _) => EitherOf3::A(scripts),
        (None, Some(scripts)) => EitherOf3::B(scripts),
        (None, None) => EitherOf3::C(view! { <HydrationScripts options /> }),
    }
}

/// The pages that work with no WASM at all: what a family opens on a phone
/// before the diary.
pub fn is_light_page(path: &str) -> bool {
    matches!(path, "/" | "/enroll")
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(i18n::Tr::pages(i18n::page_language()));
    // Effects run only in the browser: the mark tells tests (and anyone
    // debugging) that the WASM has taken over the page.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        // The offline shell (public/sw.js); browsers without it just go online.
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().service_worker().register("/sw.js");
        }
    });

    view! {
        <Title text="T1D eDiary" />
        <Router>
            <Workspace />
            <main class=move || if on_workspace() { "page workspace" } else { "page" }>
                <Routes fallback=NotFound>
                    // Sent whole (no streaming): these pages run no WASM to fill them in.
                    <Route path=StaticSegment("") view=SignIn ssr=SsrMode::Async />
                    <Route path=StaticSegment("enroll") view=Enroll ssr=SsrMode::Async />
                    // The profile is part of the page: wait for it.
                    <Route path=StaticSegment("diary") view=Diary ssr=SsrMode::Async />
                    <Route path=StaticSegment("inbox") view=Inbox />
                    <Route path=StaticSegment("sessions") view=Sessions />
                    <Route path=(StaticSegment("mfa"), StaticSegment("setup")) view=MfaSetup />
                    <Route path=StaticSegment("participants") view=Roster />
                    <Route path=(StaticSegment("study"), StaticSegment("outcomes")) view=StudyOutcomes />
                    <Route path=(StaticSegment("study"), StaticSegment("settings")) view=StudySettings />
                    <Route path=(StaticSegment("participants"), StaticSegment("new")) view=NewParticipant />
                    <Route path=(StaticSegment("participants"), ParamSegment("id")) view=Participant />
                </Routes>
            </main>
        </Router>
    }
}

/// Whether the current page is one of the staff workspace's.
fn on_workspace() -> bool {
    leptos_router::hooks::use_location()
        .pathname
        .with(|p| pages::staff_nav::is_workspace_path(p))
}

/// The staff navigation bar, on the workspace's pages only.
#[component]
fn Workspace() -> impl IntoView {
    view! {
        <Show when=on_workspace>
            <pages::staff_nav::StaffNav />
        </Show>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Server-only glue: what the server must provide in context for the
    //! server functions, and the page's security headers.

    use http::{HeaderValue, header::CONTENT_SECURITY_POLICY, request::Parts};
    use leptos::prelude::*;

    /// The directory of the phone bundle under the package directory
    /// (`phone-<hash>`), provided by the server; `None` when it was not built.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PhoneBundle(pub Option<String>);

    /// The phone bundle's files, `/pkg/phone-<hash>/phone.js` and `…_bg.wasm`.
    fn phone_files() -> Option<(String, String)> {
        let dir = use_context::<PhoneBundle>().and_then(|b| b.0)?;
        let pkg = use_context::<LeptosOptions>()
            .map(|o| o.site_pkg_dir.to_string())
            .unwrap_or_else(|| "pkg".into());
        Some((
            format!("/{pkg}/{dir}/phone.js"),
            format!("/{pkg}/{dir}/phone_bg.wasm"),
        ))
    }

    /// On the sign-in and enrolment pages: no WASM, `public/light.js` (the
    /// offline worker, the password's show button, typed fields kept across
    /// a refused form) and the phone bundle fetched ahead at low priority,
    /// so the diary after them starts from the cache.
    pub(crate) fn light_scripts() -> Option<impl IntoView + use<>> {
        let parts = use_context::<Parts>()?;
        if !super::is_light_page(parts.uri.path()) {
            return None;
        }
        let ahead = phone_files().map(|(js, wasm)| {
            view! {
                <link rel="prefetch" href=js crossorigin="" />
                <link rel="prefetch" href=wasm crossorigin="" />
            }
        });
        Some(view! {
            {ahead}
            <script src="/light.js" defer></script>
        })
    }

    /// On `/diary`: preload the phone bundle and start it.
    pub(crate) fn phone_scripts() -> Option<impl IntoView + use<>> {
        let parts = use_context::<Parts>()?;
        if parts.uri.path() != "/diary" {
            return None;
        }
        let Some((js, wasm)) = phone_files() else {
            tracing::error!("the phone bundle is missing: build it with tools/phone-bundle.sh");
            return Some(leptos::either::Either::Left(()));
        };
        let start = format!(
            "import init, {{ start }} from '{js}';\ninit({{ module_or_path: '{wasm}' }}).then(() => start());"
        );
        // The same preloads as a header: the browser starts fetching the
        // bundle with the response headers, before the page has arrived.
        let link = format!(
            "<{js}>; rel=modulepreload, <{wasm}>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin"
        );
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(&link),
        ) {
            response.insert_header(http::header::LINK, value);
        }
        let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
        Some(leptos::either::Either::Right(view! {
            <link rel="modulepreload" href=js.clone() />
            <link rel="preload" href=wasm r#as="fetch" type="application/wasm" crossorigin="" />
            <script type="module" nonce=nonce inner_html=start></script>
        }))
    }

    /// The Content-Security-Policy for rendered pages: only this origin's
    /// scripts (the inline hydration script carries the per-response nonce
    /// that leptos_axum generates), WASM compiled from our own files, nothing
    /// external, never framed.
    pub fn content_security_policy(nonce: Option<&str>) -> String {
        let script_nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{script_nonce}; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
             manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        )
    }

    pub(crate) fn set_security_policy() {
        let nonce = leptos::nonce::use_nonce();
        let policy = content_security_policy(nonce.as_deref());
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(&policy),
        ) {
            response.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
}
