//! The page shell: a skip link, the header with who is signed in, the navigation (only what the
//! viewer's role may read), the one-time message, and the page's own content.

use crate::session::{clear_cookie, flash_cookie, Viewer, FLASH_COOKIE};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hrbridge_domain::auth::{Entity, Privilege};
use maud::{html, Markup, DOCTYPE};

/// A navigation entry: its label, path, and the entity the viewer must be able to read.
struct NavLink {
    label: &'static str,
    path: &'static str,
    entity: Option<Entity>,
}

const fn link(label: &'static str, path: &'static str, entity: Option<Entity>) -> NavLink {
    NavLink { label, path, entity }
}

const NAV: [(&str, &[NavLink]); 5] = [
    (
        "People",
        &[
            link("Dashboard", "/", None),
            link("Workers", "/workers", Some(Entity::Worker)),
            link("Candidates to hire", "/candidates", Some(Entity::Candidate)),
        ],
    ),
    (
        "Catalog",
        &[
            link("Skills", "/skills", Some(Entity::Skill)),
            link("Skill types", "/skill-types", Some(Entity::SkillType)),
            link("Rating models", "/rating-models", Some(Entity::RatingModel)),
            link("Certificate types", "/certificate-types", Some(Entity::CertificateType)),
            link("Jobs", "/jobs", Some(Entity::Job)),
            link("Positions", "/positions", Some(Entity::Position)),
        ],
    ),
    (
        "Scheduling",
        &[
            link("Resource finder", "/finder", Some(Entity::BookableResource)),
            link("Resources", "/resources", Some(Entity::BookableResource)),
        ],
    ),
    ("Integration", &[link("Scheduling integration", "/integration", Some(Entity::Integration))]),
    (
        "Administration",
        &[
            link("Users", "/admin/users", Some(Entity::User)),
            link("Roles", "/admin/roles", Some(Entity::Role)),
            link("App registrations", "/admin/apps", Some(Entity::App)),
            link("Webhooks", "/admin/webhooks", Some(Entity::Webhook)),
            link("Audit log", "/admin/audit", Some(Entity::Audit)),
        ],
    ),
];

/// The section of the navigation a path belongs to is the longest matching prefix.
fn is_current(path: &str, current: &str) -> bool {
    if path == "/" {
        current == "/"
    } else {
        current == path || current.starts_with(&format!("{path}/"))
    }
}

fn document(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · hrbridge" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body { (body) }
        }
    }
}

/// A page for a signed-in viewer; `current` is the path whose navigation entry is highlighted.
pub fn page(viewer: &Viewer, current: &str, title: &str, content: Markup) -> Response {
    page_with_status(StatusCode::OK, viewer, current, title, content)
}

pub fn page_with_status(status: StatusCode, viewer: &Viewer, current: &str, title: &str, content: Markup) -> Response {
    let body = html! {
        a.skip href="#main" { "Skip to content" }
        header.top {
            a.brand href="/" { "hrbridge" }
            div.who {
                span { "Signed in as " strong { (viewer.name()) } " · " (viewer.role()) " · " a href="/account" { "Your account" } }
                form method="post" action="/sign-out" {
                    (csrf(viewer))
                    button.link type="submit" { "Sign out" }
                }
            }
        }
        div.frame {
            nav.side aria-label="Main" {
                @for (heading, links) in NAV {
                    @let visible: Vec<&NavLink> = links.iter()
                        .filter(|l| l.entity.is_none_or(|e| viewer.can(e, Privilege::Read)))
                        .collect();
                    @if !visible.is_empty() {
                        h2 { (heading) }
                        ul {
                            @for l in visible {
                                li {
                                    @if is_current(l.path, current) {
                                        a href=(l.path) aria-current="page" { (l.label) }
                                    } @else {
                                        a href=(l.path) { (l.label) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            main #main tabindex="-1" {
                @if let Some(message) = &viewer.flash {
                    p.flash role="status" { (message) }
                }
                h1 { (title) }
                (content)
            }
        }
    };
    let mut response = (status, document(title, body)).into_response();
    if viewer.flash.is_some() {
        append_cookie(&mut response, &clear_cookie(FLASH_COOKIE));
    }
    response
}

/// A page without the navigation: sign-in and errors.
pub fn bare(status: StatusCode, title: &str, content: Markup) -> Response {
    let body = html! {
        header.top { a.brand href="/" { "hrbridge" } }
        main #main.narrow tabindex="-1" {
            h1 { (title) }
            (content)
        }
    };
    (status, document(title, body)).into_response()
}

pub fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    bare(
        status,
        title,
        html! {
            p.error role="alert" { (detail) }
            p { a href="/" { "Go to the dashboard" } }
        },
    )
}

/// The hidden CSRF field of every form.
pub fn csrf(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name=(crate::session::CSRF_FIELD) value=(viewer.csrf); }
}

pub fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// 303 See Other to `location`, with a message for the next page.
pub fn redirect_with(location: &str, message: &str) -> Response {
    let mut response = axum::response::Redirect::to(location).into_response();
    append_cookie(&mut response, &flash_cookie(message));
    response
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn the_current_section_is_matched_by_path_prefix() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/workers"));
        assert!(is_current("/workers", "/workers/000001"));
        assert!(!is_current("/workers", "/workers-x"));
    }
}
