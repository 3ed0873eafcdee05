//! The app shell: asks the server where the session stands and shows that stage's page.
//!
//! The server is the only authority. The app keeps no state of its own beyond which welcome step
//! is open; after every action it asks `GET /api/session` again and follows the answer. The
//! address bar is kept in step (`/login`, `/welcome`, `/enroll`, `/pin`, `/done`) without a
//! router, and a deep link to a page the session is not at shows the right page instead.

use leptos::prelude::*;
use leptos::task::spawn_local;
use twostep_api::{routes, SessionResponse, Stage};

use crate::api;
use crate::components::header::Header;
use crate::pages::{done::Done, enroll::Enroll, login::Login, pin::Pin, welcome::Welcome};
use crate::texts::texts;

/// The page on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Login,
    /// One of the welcome steps, counted from 0.
    Welcome(usize),
    Enroll,
    Pin,
    Done,
    /// The server did not answer.
    Unreachable,
}

impl Page {
    fn path(self) -> &'static str {
        match self {
            Page::Login | Page::Unreachable => routes::PAGE_LOGIN,
            Page::Welcome(_) => routes::PAGE_WELCOME,
            Page::Enroll => routes::PAGE_ENROLL,
            Page::Pin => routes::PAGE_PIN,
            Page::Done => routes::PAGE_DONE,
        }
    }

    /// The page for `stage`, keeping `current` when it belongs to that stage.
    fn for_stage(stage: Stage, current: Option<Page>) -> Page {
        match (stage, current) {
            (Stage::Anonymous, _) => Page::Login,
            (Stage::NeedsEnrollment, Some(page @ (Page::Welcome(_) | Page::Enroll))) => page,
            (Stage::NeedsEnrollment, _) => Page::Welcome(0),
            (Stage::NeedsCode, _) => Page::Pin,
            (Stage::Verified, _) => Page::Done,
        }
    }
}

/// What every page shares; `Copy`, so handlers take it by value.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The server's last word on the session; `None` until it has answered once.
    pub session: RwSignal<Option<SessionResponse>>,
    pub page: RwSignal<Option<Page>>,
    /// Where the person was going before being sent to sign in.
    pub next: StoredValue<Option<String>>,
}

impl AppState {
    /// Asks the server for the stage and shows its page.
    pub fn refresh(self) {
        spawn_local(async move {
            match api::session().await {
                Ok(session) => self.show(session),
                Err(_) => self.page.set(Some(Page::Unreachable)),
            }
        });
    }

    /// Shows the page of `session`'s stage.
    pub fn show(self, session: SessionResponse) {
        if let Some(format) = session.code {
            crate::texts::set_code_format(format);
        }
        let page = Page::for_stage(session.stage, self.page.get_untracked());
        self.session.set(Some(session));
        self.go(page);
    }

    /// Moves between pages of the same stage (the welcome steps and enrollment).
    pub fn go(self, page: Page) {
        self.page.set(Some(page));
        set_address(page.path());
    }

    /// Ends the session on the server, then shows the login page.
    pub fn logout(self) {
        spawn_local(async move {
            if api::logout().await.is_err() {
                self.page.set(Some(Page::Unreachable));
                return;
            }
            self.refresh();
        });
    }

    /// The signed-in user's display name and username.
    pub fn user(self) -> Option<twostep_api::UserInfo> {
        self.session.get().and_then(|session| session.user)
    }
}

/// Replaces the address bar's path, keeping the query (`?next=`).
fn set_address(path: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    if let Ok(history) = window.history() {
        let url = format!("{path}{search}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The page the address asks for, as a preference the session's stage may overrule.
fn requested_page() -> Option<Page> {
    let path = web_sys::window()?.location().pathname().ok()?;
    match path.as_str() {
        routes::PAGE_ENROLL => Some(Page::Enroll),
        routes::PAGE_WELCOME => Some(Page::Welcome(0)),
        _ => None,
    }
}

/// `?next=` when it is a path on this site, never an address elsewhere.
fn requested_next() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let next = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("next")?;
    routes::local_path(&next).map(str::to_owned)
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState {
        session: RwSignal::new(None),
        page: RwSignal::new(requested_page()),
        next: StoredValue::new(requested_next()),
    };
    provide_context(state);
    state.refresh();

    let page = move || match (state.session.get().is_some(), state.page.get()) {
        (_, Some(Page::Unreachable)) => view! { <Unreachable/> }.into_any(),
        (false, _) | (_, None) => {
            view! { <p class="loading">{texts().get("loading")}</p> }.into_any()
        }
        (true, Some(Page::Login)) => view! { <Login/> }.into_any(),
        (true, Some(Page::Welcome(step))) => view! { <Welcome step/> }.into_any(),
        (true, Some(Page::Enroll)) => view! { <Enroll/> }.into_any(),
        (true, Some(Page::Pin)) => view! { <Pin/> }.into_any(),
        (true, Some(Page::Done)) => view! { <Done/> }.into_any(),
    };

    view! {
        <div class="card">
            <Header/>
            <main>{page}</main>
        </div>
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Shown when the server did not answer; nothing is lost by trying again.
#[component]
fn Unreachable() -> impl IntoView {
    let t = texts();
    view! {
        <h1>{t.get("unreachable_title")}</h1>
        <p>{t.get("unreachable_text")}</p>
        // A fresh start also fetches the theme's texts, in case they were what failed.
        <button class="primary" on:click=move |_| reload()>{t.get("try_again")}</button>
    }
}
