//! The web console over plain HTTP, on both stores: pages need a session; sign-in sets an
//! HttpOnly, SameSite=Strict cookie and is itself protected from cross-site posting; every form
//! needs the session's CSRF token; roles limit pages as they limit the API; pages send a strict
//! content security policy. (What the pages do is tested in a real browser: crates/cli/tests/console.)

use hrbridge_testkit::{TestApp, ADMIN_PASSWORD};
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE, X_FRAME_OPTIONS};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(pages_need_a_session),
        hrbridge_testkit::test_fn!(sign_in_sets_a_strict_http_only_session),
        hrbridge_testkit::test_fn!(forms_without_the_session_csrf_token_are_refused),
        hrbridge_testkit::test_fn!(roles_limit_pages_and_forms),
        hrbridge_testkit::test_fn!(pages_send_security_headers),
    ]
}

/// A browser-like client of the console that does not follow redirects.
struct Visitor<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: Vec<String>,
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

/// The value of the hidden input named `name` in a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {name} field in:\n{body}")) + marker.len();
    body[start..].split('"').next().unwrap_or_default().to_string()
}

impl<'a> Visitor<'a> {
    fn new(app: &'a TestApp) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Visitor { app, http, cookies: Vec::new() }
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let mut request = self.http.request(method, self.app.url(path));
        if !self.cookies.is_empty() {
            request = request.header(COOKIE, self.cookies.join("; "));
        }
        if let Some(form) = form {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(form).expect("form"));
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> =
            response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
        // Keep cookies as a browser would: a Max-Age=0 cookie is removed.
        for set in &set_cookies {
            let pair = set.split(';').next().unwrap_or_default().to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            if !set.contains("Max-Age=0") {
                self.cookies.push(pair);
            }
        }
        Answer { status, location, set_cookies, body: response.text().await.unwrap_or_default() }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(Method::POST, path, Some(form)).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Answer {
        let page = self.get("/sign-in?next=%2Fworkers").await;
        let nonce = hidden(&page.body, "nonce");
        self.post(
            "/sign-in",
            &[("nonce", &nonce), ("next", "/workers"), ("username", username), ("password", password)],
        )
        .await
    }

    /// The CSRF token of the session, from a page's form.
    async fn csrf(&mut self) -> String {
        let page = self.get("/workers").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        hidden(&page.body, "_csrf")
    }
}

async fn worker_count(app: &TestApp) -> usize {
    let token = app.admin_token().await;
    let (_, body): (_, Value) = app.call(Method::GET, "/api/v1/hr/workers", &token, None).await;
    body["items"].as_array().map(Vec::len).unwrap_or(0)
}

async fn pages_need_a_session(app: TestApp) {
    let mut visitor = Visitor::new(&app);
    for path in ["/", "/workers", "/workers/new", "/integration", "/admin/users"] {
        let answer = visitor.get(path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        let next = serde_urlencoded::to_string([("next", path)]).unwrap();
        assert_eq!(answer.location.as_deref(), Some(format!("/sign-in?{next}").as_str()), "{path}");
    }
    let answer = visitor.post("/workers/new", &[("first_name", "Ada"), ("last_name", "Lovelace")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    // A forged or expired session cookie is no session.
    visitor.cookies.push("hrbridge_session=v1.forged.token".into());
    assert_eq!(visitor.get("/workers").await.status, StatusCode::SEE_OTHER);
    assert_eq!(worker_count(&app).await, 0);
}

async fn sign_in_sets_a_strict_http_only_session(app: TestApp) {
    let mut visitor = Visitor::new(&app);
    let wrong = visitor.sign_in("admin", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("wrong username or password"), "{}", wrong.body);
    assert!(!visitor.cookies.iter().any(|c| c.starts_with("hrbridge_session=")));

    // Without the sign-in page's own token (a post from another site) nobody is signed in.
    let mut other_site = Visitor::new(&app);
    let forged =
        other_site.post("/sign-in", &[("nonce", "guess"), ("username", "admin"), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert!(!other_site.cookies.iter().any(|c| c.starts_with("hrbridge_session=")));

    let signed_in = visitor.sign_in("admin", ADMIN_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location.as_deref(), Some("/workers"));
    let session = signed_in.set_cookies.iter().find(|c| c.starts_with("hrbridge_session=")).expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=3600"] {
        assert!(session.contains(flag), "{flag} missing from {session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP: a Secure cookie would never come back");
    let page = visitor.get("/workers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Signed in as") && page.body.contains("admin"));

    // Behind an HTTPS proxy the session cookie is Secure too.
    let mut behind_proxy = Visitor::new(&app);
    let nonce = hidden(&behind_proxy.get("/sign-in").await.body, "nonce");
    let form = [("nonce", nonce.as_str()), ("next", "/"), ("username", "admin"), ("password", ADMIN_PASSWORD)];
    let response = behind_proxy
        .http
        .post(app.url("/sign-in"))
        .header(COOKIE, behind_proxy.cookies.join("; "))
        .header("x-forwarded-proto", "https")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap())
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> =
        response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("hrbridge_session=") && c.contains("; Secure")), "{cookies:?}");

    // A next that browsers would read as another site is not followed.
    for sneaky in ["/%09/evil.example", "/%5Cevil.example", "//evil.example"] {
        let page = visitor.get(&format!("/sign-in?next={sneaky}")).await;
        assert!(page.body.contains("name=\"next\" value=\"/\""), "{sneaky}: {}", page.body);
    }

    // Only paths on this site are followed after signing in.
    let page = visitor.get("/sign-in?next=https%3A%2F%2Fevil.example%2F").await;
    assert!(page.body.contains("name=\"next\" value=\"/\""), "{}", page.body);

    let csrf = visitor.csrf().await;
    let out = visitor.post("/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookies.iter().any(|c| c.starts_with("hrbridge_session=;") && c.contains("Max-Age=0")));
    assert_eq!(visitor.get("/workers").await.status, StatusCode::SEE_OTHER);
}

async fn forms_without_the_session_csrf_token_are_refused(app: TestApp) {
    let mut visitor = Visitor::new(&app);
    visitor.sign_in("admin", ADMIN_PASSWORD).await;
    let csrf = visitor.csrf().await;
    let worker = [("first_name", "Ada"), ("last_name", "Lovelace")];

    let missing = visitor.post("/workers/new", &worker).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("security token"), "{}", missing.body);
    let wrong = visitor.post("/workers/new", &[worker[0], worker[1], ("_csrf", "not-the-token")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another session's token does not do either.
    let mut other = Visitor::new(&app);
    other.sign_in("admin", ADMIN_PASSWORD).await;
    let theirs = other.csrf().await;
    assert_ne!(theirs, csrf);
    let foreign = visitor.post("/workers/new", &[worker[0], worker[1], ("_csrf", &theirs)]).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(worker_count(&app).await, 0, "a refused form writes nothing");

    let created = visitor.post("/workers/new", &[worker[0], worker[1], ("_csrf", &csrf)]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(created.location.as_deref().is_some_and(|l| l.starts_with("/workers/")));
    assert_eq!(worker_count(&app).await, 1);

    // A bad field re-renders the form with the error beside it, and writes nothing.
    let bad = visitor
        .post("/workers/new", &[("first_name", "Bo"), ("last_name", "B"), ("email", "not-an-email"), ("_csrf", &csrf)])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-email-error\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"not-an-email\""), "what was typed stays");
    assert_eq!(worker_count(&app).await, 1);
}

async fn roles_limit_pages_and_forms(app: TestApp) {
    app.token_for_role("read-only").await;
    let mut visitor = Visitor::new(&app);
    visitor.sign_in("user-read-only", "password-of-read-only").await;
    let list = visitor.get("/workers").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("New worker"), "no button for what the role cannot do");
    assert!(!list.body.contains("href=\"/admin/users\""), "no link to administration");
    let refused = visitor.get("/workers/new").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Not allowed"), "{}", refused.body);
    let csrf = hidden(&list.body, "_csrf");
    let post =
        visitor.post("/workers/new", &[("first_name", "Ada"), ("last_name", "Lovelace"), ("_csrf", &csrf)]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(worker_count(&app).await, 0);
    assert_eq!(visitor.get("/integration").await.status, StatusCode::FORBIDDEN);
}

async fn pages_send_security_headers(app: TestApp) {
    let mut visitor = Visitor::new(&app);
    visitor.sign_in("admin", ADMIN_PASSWORD).await;
    let response =
        visitor.http.get(app.url("/workers")).header(COOKIE, visitor.cookies.join("; ")).send().await.unwrap();
    let csp = response.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()[X_FRAME_OPTIONS], "DENY");
    let css = visitor.get("/assets/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--accent"));
}
