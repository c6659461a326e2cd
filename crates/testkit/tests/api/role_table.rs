//! Every route of the API, with a token of each shipped role (the ATS's through its registered
//! application), checked against the role table that `GET /api/v1/admin/roles` publishes: a 403
//! must name a privilege the role does not hold, the administrator is never refused, a route a
//! role may use is open to every role holding more, and the ATS reaches only what seed 002 grants.

use crate::common::{guarded_operations, send_raw, Api};
use hrbridge_testkit::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![hrbridge_testkit::test_fn!(every_route_against_the_role_table)]
}

/// role → the (entity, privilege) pairs it holds.
type Table = BTreeMap<String, BTreeSet<(String, String)>>;

fn role_table(roles: &Value) -> Table {
    let mut table = Table::new();
    for role in roles.as_array().expect("roles") {
        let held = table.entry(role["name"].as_str().unwrap().to_string()).or_default();
        for (entity, privileges) in role["privileges"].as_object().expect("privileges") {
            for privilege in privileges.as_array().unwrap() {
                held.insert((entity.clone(), privilege.as_str().unwrap().to_string()));
            }
        }
    }
    table
}

/// The (privilege, entity) a 403 names: "your role does not allow {privilege} on {entity}".
fn refused(body: &Value) -> (String, String) {
    let detail = body["detail"].as_str().unwrap_or_default();
    let rest =
        detail.strip_prefix("your role does not allow ").unwrap_or_else(|| panic!("a 403 that says why: {body}"));
    let (privilege, entity) = rest.split_once(" on ").expect("privilege on entity");
    (privilege.to_string(), entity.to_string())
}

/// A dummy path: ids that are not there, so no answer can change anything.
fn concrete(template: &str) -> String {
    crate::common::concrete(template).replace("dummy", "0190c4d2-0000-7000-8000-000000000000")
}

async fn every_route_against_the_role_table(app: TestApp) {
    let admin = Api::admin(&app).await;
    let table = role_table(&admin.read("/admin/roles").await);
    let shipped: Vec<String> = table.keys().cloned().collect();
    assert_eq!(shipped, ["ats-integration", "hr-manager", "read-only", "resource-manager", "system-administrator"]);

    // A token for each role: users for the people's roles, a registered application for the ATS.
    let mut tokens = BTreeMap::new();
    for role in ["hr-manager", "read-only", "resource-manager", "system-administrator"] {
        tokens.insert(role.to_string(), app.token_for_role(role).await);
    }
    let bot = json!({"username": "ats-bot", "password": "ats-bot-password", "role": "hr-manager"});
    admin.create("/admin/users", bot).await;
    let registered = admin.create("/admin/apps", json!({"name": "Talent", "user": "ats-bot"})).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", registered["client_id"].as_str().unwrap()),
        ("client_secret", registered["client_secret"].as_str().unwrap()),
    ];
    let token: Value = app.client.post(app.url("/oauth/token")).form(&form).send().await.unwrap().json().await.unwrap();
    tokens.insert("ats-integration".into(), token["access_token"].as_str().unwrap().to_string());

    // Signing out would end the very session the walk goes on with (every role may sign out:
    // `accounts` tests it).
    let mut operations = guarded_operations(&app).await;
    operations.retain(|(_, template)| template != "/api/v1/auth/logout");
    let mut open: BTreeMap<(Method, String), BTreeSet<String>> = BTreeMap::new();
    for (method, template) in &operations {
        // Deleting and changing dummy records is safe: nothing by these ids exists.
        let path = concrete(template);
        for (role, token) in &tokens {
            let (status, body) = send_raw(&app, method, &path, Some(token)).await;
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{role} {method} {path}: a valid token: {body}");
            assert!(status.as_u16() < 500, "{role} {method} {path}: {status} {body}");
            if status == StatusCode::FORBIDDEN {
                let (privilege, entity) = refused(&body);
                assert!(
                    !table[role].contains(&(entity.clone(), privilege.clone())),
                    "{role} {method} {path} was refused {privilege} on {entity}, which the role table grants it"
                );
            } else {
                open.entry((method.clone(), template.clone())).or_default().insert(role.clone());
            }
        }
    }
    // The administrator is never refused; what a role may do, a role holding more may do.
    for (operation, roles) in &open {
        for role in roles {
            for other in table.keys().filter(|other| table[*other].is_superset(&table[role])) {
                assert!(roles.contains(other), "{operation:?} is open to {role} but not to {other}, which holds more");
            }
        }
    }
    let refused_to =
        |role: &str| operations.iter().filter(|op| !open.get(*op).is_some_and(|r| r.contains(role))).count();
    assert_eq!(refused_to("system-administrator"), 0);
    // The ATS reaches only the scheduling metadata, its exports and candidates (also through the
    // virtual table of candidates to hire, which shows an app only its own), and its own sessions.
    let ats: Vec<&str> = open
        .iter()
        .filter(|(_, roles)| roles.contains("ats-integration"))
        .map(|((_, template), _)| template.as_str())
        .collect();
    for template in &ats {
        let allowed = template.starts_with("/api/v1/scheduling/metadata/")
            || template.starts_with("/api/v1/ats/")
            || template.starts_with("/api/v1/hr/candidates")
            || *template == "/api/v1/scheduling/virtual/hr-candidates"
            // Its own sessions (and, refused for its kind, a password).
            || template.starts_with("/api/v1/auth/");
        assert!(allowed, "the ATS reached {template}");
    }
    assert!(ats.iter().any(|t| t.starts_with("/api/v1/ats/")), "the ATS can export: {ats:?}");
    assert!(refused_to("read-only") > refused_to("hr-manager") / 2, "read-only is refused the writes");
    app.stop().await
}
