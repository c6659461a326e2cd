//! The catalog in the console: a rating model with its levels (a duplicate factor refused beside
//! its field), a skill type, a skill, a certificate type that requires renewal, a job that
//! requires the skill at a level and the certificate, a position of the job with a worker assigned
//! and unassigned; a delete refused while something uses the record, then every delete.

use crate::Console;
use serde_json::{json, Value};

/// The codes (or ids) of a list answered by the API.
fn codes(list: &Value, key: &str) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|i| i[key].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalog_is_built_and_taken_down_in_the_console() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);

    // A rating model with three levels, the third with the second's factor: refused, the error
    // beside the third row's factor and listed at the top; what was typed stays.
    b.goto("/rating-models/new").await;
    b.fill("#f-code", "PROF").await;
    b.fill("#f-name", "Proficiency").await;
    for (row, (name, factor, description)) in
        [("Novice", "1", "Needs guidance"), ("Competent", "3", "Works alone"), ("Expert", "3", "Teaches others")]
            .into_iter()
            .enumerate()
    {
        b.fill(&format!("#f-levels-{row}-name"), name).await;
        b.fill(&format!("#f-levels-{row}-factor"), factor).await;
        b.fill(&format!("#f-levels-{row}-description"), description).await;
    }
    b.press("main form", "Create rating model").await;
    b.wait_text(".errors", "levels[2].factor").await;
    let error = b.text("#f-levels-2-factor-error").await;
    assert!(error.contains("used by another level"), "{error}");
    assert_eq!(b.find("#f-levels-1-name").await.prop("value").await.unwrap().as_deref(), Some("Competent"));
    b.screenshot("rating-model-errors").await;
    b.fill("#f-levels-2-factor", "5").await;
    b.press("main form", "Create rating model").await;
    b.wait_text(".flash", "PROF created").await;
    let levels = b.text("section[aria-labelledby=levels] table").await;
    let order: Vec<usize> = ["Novice", "Competent", "Expert"].iter().map(|l| levels.find(l).expect(l)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "levels in order of factor: {levels}");
    let model = api.get("/hr/rating-models/PROF").await;
    let stored: Vec<(&str, i64)> = model["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["factor"].as_i64().unwrap()))
        .collect();
    assert_eq!(stored, [("Novice", 1), ("Competent", 3), ("Expert", 5)]);

    // Another level, in the first blank row of the edit form.
    b.goto("/rating-models/PROF/edit").await;
    assert_eq!(b.find("#f-levels-3-name").await.prop("value").await.unwrap().as_deref(), Some(""));
    b.fill("#f-levels-3-name", "Master").await;
    b.fill("#f-levels-3-factor", "7").await;
    b.press("main form", "Save changes").await;
    b.wait_text(".flash", "saved").await;
    b.wait_text("section[aria-labelledby=levels] table", "Master").await;
    b.screenshot("rating-model").await;
    assert_eq!(api.get("/hr/rating-models/PROF").await["levels"].as_array().unwrap().len(), 4);
    b.goto("/rating-models").await;
    b.wait_text("main table", "Novice (1) · Competent (3) · Expert (5) · Master (7)").await;
    b.screenshot("rating-models").await;

    // A skill type and a skill of it, rated with the model.
    b.goto("/skill-types/new").await;
    b.fill("#f-code", "TECH").await;
    b.fill("#f-name", "Technical").await;
    b.fill("#f-description", "Tools and programming languages").await;
    b.press("main form", "Create skill type").await;
    b.wait_text(".flash", "TECH created").await;
    b.screenshot("skill-types").await;
    assert_eq!(api.get("/hr/skill-types/TECH").await["name"], "Technical");
    b.goto("/skills/new").await;
    b.fill("#f-code", "RUST").await;
    b.fill("#f-name", "Rust").await;
    b.choose("#f-rating_model", "PROF").await;
    b.choose("#f-skill_type", "TECH").await;
    b.press("main form", "Create skill").await;
    b.wait_text(".flash", "RUST created").await;
    let skills = b.text("main table").await;
    assert!(skills.contains("Rust") && skills.contains("Technical") && skills.contains("Proficiency"), "{skills}");
    b.screenshot("skills").await;
    let skill = api.get("/hr/skills/RUST").await;
    assert_eq!((skill["rating_model"].as_str(), skill["skill_type"].as_str()), (Some("PROF"), Some("TECH")));

    // A certificate type that must be renewed.
    b.goto("/certificate-types/new").await;
    b.fill("#f-code", "FORK").await;
    b.fill("#f-name", "Forklift licence").await;
    b.click("#f-requires_renewal").await;
    b.press("main form", "Create certificate type").await;
    b.wait_text(".flash", "FORK created").await;
    let types = b.wait_text("main table", "Forklift licence").await;
    assert!(types.contains("Yes"), "requires renewal: {types}");
    b.screenshot("certificate-types").await;
    assert_eq!(api.get("/hr/certificate-types/FORK").await["requires_renewal"], true);

    // A job requiring Rust at Competent or better, and the forklift licence.
    b.goto("/jobs/new").await;
    b.fill("#f-job_id", "DEV").await;
    b.fill("#f-title", "Developer").await;
    b.fill("#f-description", "Builds and runs the warehouse systems.").await;
    b.choose("#f-required_skills-0-skill", "RUST").await;
    b.choose("#f-required_skills-0-min_level", "Competent").await;
    b.click("input[name=required_certificates][value=FORK]").await;
    b.screenshot("job-new").await;
    b.press("main form", "Create job").await;
    b.wait_text(".flash", "DEV created").await;
    let required = b.text("section[aria-labelledby=skills] table").await;
    assert!(required.contains("Rust") && required.contains("Competent") && required.contains('3'), "{required}");
    b.screenshot("job").await;
    let job = api.get("/hr/jobs/DEV").await;
    assert_eq!(job["required_skills"], json!([{"skill": "RUST", "min_level": "Competent", "min_factor": 3}]));
    assert_eq!(job["required_certificates"], json!(["FORK"]));
    b.goto("/jobs").await;
    b.wait_text("main table", "Competent").await;
    b.screenshot("jobs").await;

    // A position of the job (its title the job's), a worker assigned to it and taken off again.
    b.goto("/positions/new?job_id=DEV").await;
    b.fill("#f-position_number", "P-1").await;
    b.fill("#f-location", "Leeds").await;
    b.press("main form", "Create position").await;
    b.wait_text(".flash", "P-1 created").await;
    assert!(b.text("section[aria-labelledby=details]").await.contains("Developer"));
    let worker = api.post("/hr/workers", json!({"first_name": "Ada", "last_name": "Lovelace"})).await;
    let number = worker["personnel_number"].as_str().expect("personnel number").to_string();
    b.goto("/positions/P-1").await;
    b.choose("#f-worker", &number).await;
    b.press("form[action$='/assign']", "Assign").await;
    b.wait_text(".flash", "now holds position P-1").await;
    b.wait_text("section[aria-labelledby=holder]", "Ada Lovelace").await;
    b.screenshot("position").await;
    assert_eq!(api.get("/hr/positions/P-1").await["worker"], number.as_str());
    b.goto("/positions").await;
    b.wait_text("main table", "Ada Lovelace").await;
    b.screenshot("positions").await;
    b.goto("/positions/P-1").await;
    b.press("form[action$='/unassign']", "Unassign worker").await;
    b.confirm().await;
    b.wait_text(".flash", "vacant").await;
    assert_eq!(api.get("/hr/positions/P-1").await["worker"], Value::Null);

    // The skill is required by the job: its delete is refused, saying why.
    b.goto("/skills").await;
    b.press("form[action='/skills/RUST/delete']", "Delete").await;
    b.confirm().await;
    b.wait_text(".error", "Not deleted").await;
    b.screenshot("skill-delete-refused").await;
    assert_eq!(codes(&api.get("/hr/skills").await, "code"), ["RUST"]);

    // Then everything goes, in order of use.
    b.goto("/positions/P-1").await;
    b.press("main .toolbar", "Delete position").await;
    b.confirm().await;
    b.wait_text(".flash", "P-1 deleted").await;
    b.goto("/jobs/DEV").await;
    b.press("main .toolbar", "Delete job").await;
    b.confirm().await;
    b.wait_text(".flash", "DEV deleted").await;
    for (list, code, what) in [
        ("/skills", "RUST", "Skill"),
        ("/skill-types", "TECH", "Skill type"),
        ("/certificate-types", "FORK", "Certificate type"),
    ] {
        b.goto(list).await;
        b.press(&format!("form[action='{list}/{code}/delete']"), "Delete").await;
        b.confirm().await;
        b.wait_text(".flash", &format!("{what} {code} deleted")).await;
    }
    b.goto("/rating-models/PROF").await;
    b.press("main .toolbar", "Delete rating model").await;
    b.confirm().await;
    b.wait_text(".flash", "PROF deleted").await;
    b.wait_text("main", "No rating models yet").await;
    for (path, key) in [
        ("/hr/positions", "position_number"),
        ("/hr/jobs", "job_id"),
        ("/hr/skills", "code"),
        ("/hr/skill-types", "code"),
        ("/hr/certificate-types", "code"),
        ("/hr/rating-models", "code"),
    ] {
        assert!(codes(&api.get(path).await, key).is_empty(), "{path} is empty");
    }
    console.browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_change_made_meanwhile_is_not_overwritten_or_deleted() {
    let Some(console) = Console::start().await else { return };
    let (b, api) = (&console.browser, &console.api);
    api.post("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await;

    // Someone else renames the skill type while its edit form is open: saving is refused.
    b.goto("/skill-types/TECH/edit").await;
    b.wait_text("main h1", "TECH").await;
    api.call(reqwest::Method::PATCH, "/hr/skill-types/TECH", Some(json!({"name": "Engineering"}))).await;
    b.fill("#f-description", "Tools and programming languages").await;
    b.press("main form", "Save changes").await;
    b.wait_text(".error-summary, main", "Someone else changed this record").await;
    let stored = api.get("/hr/skill-types/TECH").await;
    assert_eq!((stored["name"].as_str(), stored["description"].as_str()), (Some("Engineering"), Some("")), "{stored}");

    // Someone else changes it while the list is shown: the list's delete is refused too.
    b.goto("/skill-types").await;
    b.wait_text("main table", "Engineering").await;
    api.call(reqwest::Method::PATCH, "/hr/skill-types/TECH", Some(json!({"description": "Kept"}))).await;
    b.press("form[action='/skill-types/TECH/delete']", "Delete").await;
    b.confirm().await;
    b.wait_text("main", "someone else changed it").await;
    b.screenshot("skill-type-delete-conflict").await;
    assert_eq!(api.get("/hr/skill-types/TECH").await["description"], "Kept");
    // Shown again, it deletes.
    b.goto("/skill-types").await;
    b.press("form[action='/skill-types/TECH/delete']", "Delete").await;
    b.confirm().await;
    b.wait_text(".flash", "deleted").await;
    console.browser.close().await;
}
