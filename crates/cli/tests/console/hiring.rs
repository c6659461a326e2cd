//! Personnel management (seed 002): candidates exported through the ATS API by a registered app
//! (client credentials at the OAuth token endpoint) are listed under "Candidates to hire"; one is
//! reviewed and hired into a position in the "Hire new worker" pane and lands on the new worker's
//! page; others are closed as not hired, with a reason, or dismissed. The ATS reads back each
//! outcome.

use crate::{Api, Console};
use serde_json::{json, Value};

/// An applicant tracking system registered as an app with the `ats-integration` role, holding an
/// access token from the OAuth token endpoint.
pub struct Ats {
    http: reqwest::Client,
    base: String,
    pub client_id: String,
    token: String,
}

impl Ats {
    /// Registers the app (as admin, through `api`) and gets its token with the client
    /// credentials grant.
    pub async fn register(api: &Api, name: &str) -> Ats {
        let registered =
            api.post("/admin/apps", json!({"name": name, "user": "admin", "role": "ats-integration"})).await;
        let client_id = registered["client_id"].as_str().expect("client_id").to_string();
        let secret = registered["client_secret"].as_str().expect("client_secret").to_string();
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{}/oauth/token", api.base))
            .basic_auth(&client_id, Some(&secret))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let body: Value = response.json().await.expect("token answer");
        assert!(status.is_success(), "the token endpoint answered {status}: {body}");
        let token = body["access_token"].as_str().expect("access_token").to_string();
        Ats { http, base: api.base.clone(), client_id, token }
    }

    /// Exports a hired candidate; the stored candidate.
    pub async fn export(&self, candidate: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/api/v1/ats/hired-candidates", self.base))
            .bearer_auth(&self.token)
            .json(&candidate)
            .send()
            .await
            .expect("export");
        let status = response.status();
        let body: Value = response.json().await.expect("export answer");
        assert!(status.is_success(), "the export answered {status}: {body}");
        body
    }

    /// What the ATS reads back about `external_id`: not_processed, hired, not_hired or dismissed.
    pub async fn outcome(&self, external_id: &str) -> Value {
        let response = self
            .http
            .get(format!("{}/api/v1/ats/hired-candidates/{external_id}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("outcome");
        assert!(response.status().is_success(), "the outcome answered {}", response.status());
        response.json().await.expect("outcome answer")
    }
}

/// A hired candidate as an ATS exports it: a developer in Leeds starting on 2026-04-01.
pub fn candidate(external_id: &str, first_name: &str, last_name: &str) -> Value {
    json!({
        "external_id": external_id, "first_name": first_name, "last_name": last_name,
        "email": format!("{}@example.com", first_name.to_lowercase()), "phone": "+15551234567",
        "start_date": "2026-04-01", "job_title": "Developer", "location": "Leeds",
    })
}

/// Registers an ATS app ("Talent Hub (<external id>)": app names are unique) and exports one candidate with `skill` at `level` (a skill
/// of the catalog, e.g. `seed_catalog`'s RUST at "Good"). Returns the candidate's id: its pane is
/// `/candidates/{id}`.
pub async fn export_candidate(
    api: &Api,
    external_id: &str,
    first_name: &str,
    last_name: &str,
    skill: &str,
    level: &str,
) -> String {
    let ats = Ats::register(api, &format!("Talent Hub ({external_id})")).await;
    let mut body = candidate(external_id, first_name, last_name);
    body["skills"] = json!([{"skill": skill, "level": level}]);
    ats.export(body).await["id"].as_str().expect("candidate id").to_string()
}

/// `seed_catalog`, a Developer job requiring Rust at Good, and its positions P-1 (Leeds) and P-2
/// (York).
async fn seed_jobs(api: &Api) {
    api.seed_catalog().await;
    api.post(
        "/hr/jobs",
        json!({"job_id": "DEV", "title": "Developer", "required_skills": [{"skill": "RUST", "min_level": "Good"}]}),
    )
    .await;
    api.post("/hr/positions", json!({"position_number": "P-1", "job_id": "DEV", "location": "Leeds"})).await;
    api.post("/hr/positions", json!({"position_number": "P-2", "job_id": "DEV", "location": "York"})).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_candidate_is_reviewed_and_hired_into_a_position() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    seed_jobs(api).await;
    let ats = Ats::register(api, "Talent Hub").await;
    let mut grace = candidate("th-1001", "Grace", "Hopper");
    grace["skills"] = json!([{"skill": "RUST", "level": "Expert"}]);
    grace["certificates"] =
        json!([{"certificate_type": "FORK", "issued_on": "2025-01-10", "expires_on": "2028-01-10"}]);
    let id = ats.export(grace).await["id"].as_str().expect("id").to_string();
    ats.export(candidate("th-1002", "Alan", "Turing")).await;

    // Both wait under Candidates to hire, with where they came from.
    b.goto("/candidates").await;
    let list = b.wait_text("main table", "Grace Hopper").await;
    assert!(list.contains("Alan Turing") && list.contains("Talent Hub") && list.contains("To hire"), "{list}");
    b.screenshot("candidates").await;

    // The pane: the record as exported, its skills checked against the catalog, and the vacant
    // position with the exported title and location already picked.
    b.click(&format!("a[href='/candidates/{id}']")).await;
    b.wait_text("h1", "Hire new worker: Grace Hopper").await;
    let record = b.text("section[aria-labelledby=candidate]").await;
    assert!(
        record.contains("grace@example.com") && record.contains("+15551234567") && record.contains("P-1"),
        "{record}"
    );
    assert!(record.contains("Talent Hub") && record.contains("th-1001"), "{record}");
    assert_eq!(api.get(&format!("/hr/candidates/{id}")).await["source_app"], ats.client_id.as_str());
    let qualifications = b.text("section[aria-labelledby=qualifications]").await;
    assert!(qualifications.contains("Rust") && qualifications.contains("Expert"), "{qualifications}");
    assert!(qualifications.contains("In catalog") && qualifications.contains("Forklift licence"), "{qualifications}");
    assert_eq!(b.find("#f-position_number").await.prop("value").await.unwrap().as_deref(), Some("P-1"));
    assert_eq!(b.find("#f-employment_start").await.prop("value").await.unwrap().as_deref(), Some("2026-04-01"));
    b.screenshot("hire").await;

    // A personnel number that is not one is refused beside its field; nothing is hired.
    b.fill("#f-personnel_number", "no such number!").await;
    b.press("form[action$='/hire']", "Hire").await;
    b.wait_text("#f-personnel_number-error", "may contain only").await;
    b.screenshot("hire-errors").await;
    assert_eq!(api.get(&format!("/hr/candidates/{id}")).await["status"], "to_hire");

    // Hired with the next personnel number, starting later than the ATS said: the worker's page.
    b.fill("#f-personnel_number", "").await;
    b.set_value("#f-employment_start", "2026-04-15").await;
    b.choose("#f-position_number", "P-1").await;
    b.press("form[action$='/hire']", "Hire").await;
    b.wait_text(".flash", "Grace Hopper hired as worker").await;
    let path = b.path().await;
    let number = path.strip_prefix("/workers/").unwrap_or_else(|| panic!("on the worker's page, not {path}"));
    let page = b.text("main").await;
    assert!(page.contains("P-1") && page.contains("Rust") && page.contains("Forklift licence"), "{page}");
    b.screenshot("hired-worker").await;

    let hired = api.get(&format!("/hr/candidates/{id}")).await;
    assert_eq!((hired["status"].as_str(), hired["personnel_number"].as_str()), (Some("hired"), Some(number)));
    let worker = api.get(&format!("/hr/workers/{number}")).await;
    assert_eq!(worker["position"], "P-1");
    assert_eq!(worker["employment_start"], "2026-04-15");
    assert_eq!(worker["email"], "grace@example.com");
    assert_eq!(worker["skills"][0]["level"], "Expert");
    assert_eq!(worker["certificates"][0]["certificate_type"], "FORK");
    assert_eq!(api.get("/hr/positions/P-1").await["worker"], number);
    assert_eq!(
        ats.outcome("th-1001").await,
        json!({"external_id": "th-1001", "status": "hired", "personnel_number": number})
    );

    // The list now shows her as hired, with her worker; the pane says what became of her.
    b.goto("/candidates?status=hired").await;
    b.wait_text("main table", &format!("Worker {number}")).await;
    b.goto(&format!("/candidates/{id}")).await;
    b.wait_text(".warning", &format!("Hired as worker {number}")).await;
    assert!(b.all("form[action$='/hire']").await.is_empty(), "no hire form for a hired candidate");
    b.goto("/candidates").await;
    let waiting = b.wait_text("main table", "Alan Turing").await;
    assert!(!waiting.contains("Grace Hopper"), "{waiting}");
    console.browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn candidates_are_closed_as_not_hired_or_dismissed() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    seed_jobs(api).await;
    let alan = export_candidate(api, "th-2001", "Alan", "Turing", "RUST", "Good").await;
    let ats = Ats::register(api, "Workday Recruiting").await;
    let katherine =
        ats.export(candidate("wd-77", "Katherine", "Johnson")).await["id"].as_str().expect("id").to_string();

    // Not hired, with a reason code the ATS reads back.
    b.goto(&format!("/candidates/{alan}")).await;
    b.fill("#f-reason", "DECLINED-OFFER").await;
    b.screenshot("do-not-hire").await;
    b.press("form[action$='/do-not-hire']", "Do not hire").await;
    b.confirm().await;
    b.wait_text(".flash", "Alan Turing closed as not hired").await;
    let closed = api.get(&format!("/hr/candidates/{alan}")).await;
    assert_eq!((closed["status"].as_str(), closed["reason"].as_str()), (Some("not_hired"), Some("DECLINED-OFFER")));
    assert_eq!(closed["personnel_number"], Value::Null);

    // Dismissed.
    b.goto(&format!("/candidates/{katherine}")).await;
    b.press("form[action$='/dismiss']", "Dismiss").await;
    b.confirm().await;
    b.wait_text(".flash", "Katherine Johnson dismissed").await;
    assert_eq!(api.get(&format!("/hr/candidates/{katherine}")).await["status"], "dismissed");
    assert_eq!(ats.outcome("wd-77").await["status"], "dismissed");

    // Nobody waits; each closed candidate is listed under its state, and no worker was made.
    b.wait_text("main", "No candidates are waiting to be hired").await;
    b.goto("/candidates?status=not_hired").await;
    b.wait_text("main table", "Alan Turing").await;
    b.goto("/candidates?status=all").await;
    let all = b.wait_text("main table", "Dismissed").await;
    assert!(all.contains("Not hired") && all.contains("Katherine Johnson"), "{all}");
    b.screenshot("candidates-closed").await;
    b.goto(&format!("/candidates/{alan}")).await;
    b.wait_text(".warning", "DECLINED-OFFER").await;
    assert!(api.get("/hr/workers").await["items"].as_array().expect("items").is_empty());
    console.browser.close().await;
}
