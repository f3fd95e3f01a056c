use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    domain::account::Role,
    i18n::use_tr,
    pages::language_switch::LanguageSwitch,
    session::{self, NavInfo, load_nav_info},
};

/// The paths of the staff workspace, which carry the navigation bar.
pub fn is_workspace_path(path: &str) -> bool {
    ["/participants", "/inbox", "/study", "/sessions"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// One bar on every staff page: where to go, how many alerts wait, who is
/// signed in, the language, signing out.
#[component]
pub fn StaffNav() -> impl IntoView {
    let info = Resource::new(|| (), |_| load_nav_info());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(Some(info)) => view! { <NavBar info /> }.into_any(),
                    // Signed out, the page itself says so; the language still switches.
                    _ => view! { <div class="nav-language"><LanguageSwitch /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NavBar(info: NavInfo) -> impl IntoView {
    let tr = use_tr();
    let path = use_location().pathname;
    let current = move |href: &'static str| {
        let path = path.get();
        let here = path == href || (href == "/participants" && path.starts_with("/participants/"));
        here.then_some("page")
    };
    let sign_out = ServerAction::<session::SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async {
                crate::forget_offline_pages().await;
                let _ = window().location().assign("/");
            });
        }
    });
    let link = move |href: &'static str, label: String| {
        view! { <li><a href=href aria-current=move || current(href)>{label}</a></li> }
    };
    let alerts = match info.open_alerts {
        Some(n) if n > 0 => tr.t_with("nav-alerts-open", &[("n", n.into())]),
        _ => tr.t("nav-alerts"),
    };
    view! {
        <nav class="staff-nav" aria-label=tr.t("nav-label")>
            <ul class="nav-links">
                {(info.role == Role::Investigator).then(|| view! {
                    {link("/participants", tr.t("nav-participants"))}
                    {link("/inbox", alerts.clone())}
                    {link("/study/outcomes", tr.t("nav-outcomes"))}
                })}
                {(info.role == Role::Admin).then(|| link("/study/settings", tr.t("nav-settings")))}
                {matches!(info.role, Role::Participant | Role::Guardian).then(|| view! {
                    <li><a href="/diary" rel="external">{tr.t("nav-diary")}</a></li>
                })}
                {link("/sessions", tr.t("nav-devices"))}
            </ul>
            <div class="nav-person">
                <span class="nav-name">
                    <span class="visually-hidden">{tr.t("nav-signed-in-as")}" "</span>
                    <span translate="no">{info.display_name}</span>
                </span>
                <LanguageSwitch />
                <button class="button" on:click=move |_| { sign_out.dispatch(session::SignOut {}); }>
                    {tr.t("nav-sign-out")}
                </button>
            </div>
        </nav>
        <p class="notice error" role="alert">
            {move || sign_out.value().get().and_then(Result::err).map(|e| e.message(tr))}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::is_workspace_path;

    #[test]
    fn workspace_paths() {
        for (path, expected) in [
            ("/participants", true),
            ("/participants/new", true),
            ("/inbox", true),
            ("/study/settings", true),
            ("/sessions", true),
            ("/", false),
            ("/diary", false),
            ("/enroll", false),
            ("/participantsx", false),
        ] {
            assert_eq!(is_workspace_path(path), expected, "{path}");
        }
    }
}
