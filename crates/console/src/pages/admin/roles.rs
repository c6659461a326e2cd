//! Roles: every role's privileges per entity as one matrix, and a form to add a role (the API
//! creates roles but does not change them, so neither does the console).

use crate::choices::capitalised;
use crate::error::ConsoleResult;
use crate::layout::{csrf, page_with_status, redirect_with};
use crate::session::{Form, Posted, Viewer};
use crate::widgets::{FieldErrors, Input};
use axum::extract::State;
use axum::response::Response;
use hrbridge_app::accounts::{check_role_name, create_role_as};
use hrbridge_app::AppError;
use hrbridge_app::AppState;
use hrbridge_domain::auth::{Entity, Privilege, PrivilegeSet, Role};
use hrbridge_domain::ValidationErrors;
use maud::{html, Markup};
use std::collections::BTreeMap;

/// The entities in three groups, as people think of them.
fn groups() -> Vec<(&'static str, Vec<Entity>)> {
    let other: Vec<Entity> =
        Entity::ALL.into_iter().filter(|e| !Entity::HR.contains(e) && !Entity::SCHEDULING.contains(e)).collect();
    vec![
        ("HR", Entity::HR.to_vec()),
        ("Scheduling", Entity::SCHEDULING.to_vec()),
        ("Administration and integration", other),
    ]
}

/// "worker-skill" → "Worker skill".
fn entity_label(entity: Entity) -> String {
    capitalised(&entity.as_str().replace('-', " "))
}

/// A cell of the matrix: "All", "Read", "Read, create", or a dash.
fn cell(set: Option<&PrivilegeSet>) -> Markup {
    let set = set.copied().unwrap_or(PrivilegeSet::NONE);
    html! {
        @if set == PrivilegeSet::ALL { span.badge.ok { "All" } }
        @else if set == PrivilegeSet::NONE { span.muted aria-label="None" { "—" } }
        @else { (capitalised(&set.list().iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))) }
    }
}

pub async fn matrix(State(app): State<AppState>, viewer: Viewer) -> ConsoleResult<Response> {
    viewer.require(Entity::Role, Privilege::Read)?;
    roles_page(&app, &viewer, &Form::default(), &FieldErrors::none()).await
}

async fn roles_page(app: &AppState, viewer: &Viewer, form: &Form, errors: &FieldErrors) -> ConsoleResult<Response> {
    let roles = app.hr.roles().await?;
    let content = html! {
        section.card aria-labelledby="roles" {
            h2 #roles { "What each role is for" }
            dl.facts {
                @for r in &roles {
                    dt { strong { (r.name) } } dd { (r.description) @if r.builtin { " " span.badge { "Built in" } } }
                }
            }
        }
        table.matrix {
            caption.visually-hidden { "Privileges of each role on each entity" }
            thead { tr {
                th scope="col" { "Entity" }
                @for r in &roles { th scope="col" { (r.name) } }
            } }
            @for (group, entities) in groups() {
                tbody {
                    tr { th scope="rowgroup" colspan=(roles.len() + 1) { (group) } }
                    @for e in entities {
                        tr {
                            th scope="row" { (entity_label(e)) }
                            @for r in &roles { td { (cell(r.privileges.get(&e))) } }
                        }
                    }
                }
            }
        }
        @if viewer.can(Entity::Role, Privilege::Create) { (new_role_form(viewer, form, errors)) }
    };
    let status = errors.status();
    Ok(page_with_status(status, viewer, "/admin/roles", "Roles", content))
}

fn new_role_form(viewer: &Viewer, form: &Form, errors: &FieldErrors) -> Markup {
    html! {
        details.card open[!errors.is_empty()] {
            summary { strong { "New role" } }
            form method="post" action="/admin/roles" {
                (csrf(viewer))
                (errors.summary())
                div.row {
                    (Input::new("Name", "name", form.text("name")).required().hint("Lowercase letters, digits and '-'").render(errors))
                    (Input::new("Description", "description", form.text("description")).render(errors))
                }
                table {
                    caption.visually-hidden { "Privileges of the new role" }
                    thead { tr {
                        th scope="col" { "Entity" }
                        @for p in Privilege::ALL { th scope="col" { (capitalised(p.as_str())) } }
                    } }
                    tbody {
                        @for e in Entity::ALL {
                            @let field = format!("privileges.{}", e.as_str());
                            @let chosen = form.all(&field);
                            tr {
                                th scope="row" { (entity_label(e)) }
                                @for p in Privilege::ALL {
                                    @let id = format!("p-{}-{}", e.as_str(), p.as_str());
                                    td {
                                        input id=(id) type="checkbox" name=(field) value=(p.as_str()) checked[chosen.contains(&p.as_str())];
                                        label.visually-hidden for=(id) { (capitalised(p.as_str())) " " (entity_label(e).to_lowercase()) }
                                    }
                                }
                            }
                        }
                    }
                }
                div.actions { button type="submit" { "Create role" } }
            }
        }
    }
}

pub async fn create(State(app): State<AppState>, Posted { viewer, form }: Posted) -> ConsoleResult<Response> {
    viewer.require(Entity::Role, Privilege::Create)?;
    let created = async {
        let name = form.text("name").to_string();
        let mut errors = ValidationErrors::new();
        check_role_name(&mut errors, &name);
        let description = errors.check(hrbridge_domain::value::text("description", form.get("description"), 500));
        let mut privileges = BTreeMap::new();
        for e in Entity::ALL {
            let chosen = form.all(&format!("privileges.{}", e.as_str()));
            let list: Vec<Privilege> = Privilege::ALL.into_iter().filter(|p| chosen.contains(&p.as_str())).collect();
            if !list.is_empty() {
                privileges.insert(e, PrivilegeSet::of(&list));
            }
        }
        if privileges.is_empty() {
            errors.add("privileges", "tick at least one privilege");
        }
        if !errors.is_empty() {
            return Err(AppError::from(errors));
        }
        let role = Role { name, description: description.unwrap_or_default(), builtin: false, privileges };
        create_role_as(&app, &viewer.caller, &role).await?;
        Ok(role)
    };
    match created.await {
        Ok(role) => Ok(redirect_with("/admin/roles", &format!("Role {} created.", role.name))),
        Err(error) => roles_page(&app, &viewer, &form, &FieldErrors::from_api(error)?).await,
    }
}
