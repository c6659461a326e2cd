//! Debian's Chromium, headless, driven through chromedriver (WebDriver) with fantoccini, against a
//! real `hrbridge serve`. Every wait polls a condition against a deadline.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a page or a condition may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// Where chromedriver is: `HRBRIDGE_TEST_CHROMEDRIVER`, else Debian's.
fn chromedriver_path() -> PathBuf {
    std::env::var_os("HRBRIDGE_TEST_CHROMEDRIVER").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromedriver".into())
}

fn chromium_path() -> PathBuf {
    std::env::var_os("HRBRIDGE_TEST_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into())
}

/// Why the browser tests cannot run here, if they cannot. With `HRBRIDGE_TEST_BROWSER=required`
/// (as CI sets it) a missing browser fails the test instead of skipping it.
pub fn skip_reason() -> Option<String> {
    let missing: Vec<String> = [chromedriver_path(), chromium_path()]
        .into_iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let reason = format!(
        "{} not found: install Debian's chromium and chromium-driver (.ci/run does), or set \
         HRBRIDGE_TEST_CHROMIUM and HRBRIDGE_TEST_CHROMEDRIVER",
        missing.join(" and ")
    );
    if std::env::var("HRBRIDGE_TEST_BROWSER").as_deref() == Ok("required") {
        panic!("the browser tests are required here, but {reason}");
    }
    Some(reason)
}

/// A headless Chromium window of a laptop's size, and the chromedriver serving it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    pub base: String,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    pub async fn open(base: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port();
        let driver = Command::new(chromedriver_path())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium_path(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1366,900", "--force-device-scale-factor=1", "--lang=en-GB"],
            }),
        );
        let deadline = Instant::now() + WAIT;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot start a Chromium session through chromedriver: {e}"),
            }
        };
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
        std::fs::create_dir_all(&shots).expect("screenshot directory");
        Browser { client, driver, base: base.to_string(), shots }
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{query}", url.path())
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.expect("find elements")
    }

    /// Types into the input labelled by its id (`f-<name>` in console forms), clearing it first.
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        input.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets a date (or other) input's value the way the browser would after a pick.
    pub async fn set_value(&self, css: &str, value: &str) {
        let input = self.find(css).await;
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));",
                vec![serde_json::to_value(&input).expect("element"), serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the button whose text is `text` (inside `scope`, a CSS selector).
    pub async fn press(&self, scope: &str, text: &str) {
        let buttons = self.all(&format!("{scope} button")).await;
        for button in buttons {
            if button.text().await.unwrap_or_default().trim() == text {
                button.click().await.unwrap_or_else(|e| panic!("press {text}: {e}"));
                return;
            }
        }
        panic!("no button “{text}” in {scope} on {}", self.path().await);
    }

    /// Accepts the page's confirm() dialog.
    pub async fn confirm(&self) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.accept_alert().await {
                Ok(()) => return,
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => panic!("no dialog to confirm: {e}"),
            }
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// Waits until the element's text contains `wanted`.
    pub async fn wait_text(&self, css: &str, wanted: &str) -> String {
        self.wait_text_any(css, &[wanted]).await
    }

    /// Waits until the element's text contains one of `wanted`; returns the text.
    pub async fn wait_text_any(&self, css: &str, wanted: &[&str]) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if wanted.iter().any(|w| text.contains(w)) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{css} on {} never said any of {wanted:?}; it says “{text}”", self.path().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's main text contains `wanted`, reloading it between looks (for what
    /// the sync worker changes in the background).
    pub async fn reload_until(&self, path: &str, wanted: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            self.goto(path).await;
            let text = self.text("main").await;
            if text.contains(wanted) {
                return;
            }
            if Instant::now() > deadline {
                panic!("{path} never showed “{wanted}”; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Saves a screenshot of the page as `<name>.png` under the target directory.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("save screenshot");
    }

    /// Signs in through the sign-in page.
    pub async fn sign_in(&self, username: &str, password: &str) {
        self.goto("/").await;
        self.fill("#f-username", username).await;
        self.fill("#f-password", password).await;
        self.press("main form", "Sign in").await;
        self.find("header.top .who").await;
    }

    /// A cookie's value, as the browser holds it.
    pub async fn cookie(&self, name: &str) -> String {
        let cookie = self.client.get_named_cookie(name).await.unwrap_or_else(|e| panic!("cookie {name}: {e}"));
        cookie.value().to_string()
    }

    pub async fn close(self) {
        let client = self.client.clone();
        let _ = client.close().await;
    }
}
