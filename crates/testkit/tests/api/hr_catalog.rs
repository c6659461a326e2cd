//! The HR catalog over HTTP: rating models with levels, skill types, skills, certificate types,
//! and jobs with positions that inherit their requirements and are held by workers.

use crate::common::{seed_catalog, worker, Api, CONFLICT, INVALID, NOT_FOUND, OK};
use hrbridge_testkit::TestApp;
use serde_json::{json, Value};

/// The tests of this file, for the harness in `main.rs`.
pub fn tests() -> Vec<(&'static str, hrbridge_testkit::TestFn)> {
    vec![
        hrbridge_testkit::test_fn!(rating_models_with_levels),
        hrbridge_testkit::test_fn!(skill_types_and_skills),
        hrbridge_testkit::test_fn!(certificate_types),
        hrbridge_testkit::test_fn!(jobs_and_positions),
    ]
}

/// A model's levels as (name, factor).
fn levels(model: &Value) -> Vec<(String, i64)> {
    let levels = model["levels"].as_array().expect("levels");
    levels.iter().map(|l| (l["name"].as_str().unwrap().to_string(), l["factor"].as_i64().unwrap())).collect()
}

fn named(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, f)| (n.to_string(), *f)).collect()
}

/// A body of `levels` given as (name, factor).
fn level_list(list: &[(&str, i64)]) -> Value {
    list.iter().map(|(n, f)| json!({"name": n, "factor": f})).collect()
}

async fn rating_models_with_levels(app: TestApp) {
    let api = Api::admin(&app).await;
    let path = "/hr/rating-models";
    let model = |code: &str, list: &[(&str, i64)]| json!({"code": code, "name": code, "levels": level_list(list)});
    let created = api.create(path, model("PROF", &[("Expert", 5), ("Novice", 1)])).await;
    assert_eq!(levels(&created), named(&[("Novice", 1), ("Expert", 5)]), "levels come back by factor");
    assert_eq!((created["name"].as_str(), created["version"].as_i64()), (Some("PROF"), Some(1)));

    // More than ten levels; a duplicate factor; a factor out of range; a duplicate code.
    let eleven: Value = (0..11).map(|i| json!({"name": format!("L{i}"), "factor": i % 10})).collect();
    let answer = api.post(path, json!({"code": "BIG", "name": "Big", "levels": eleven})).await;
    answer.problem(INVALID, &["levels", "levels[10].factor"]);
    api.post(path, model("DUP", &[("A", 2), ("B", 2)])).await.problem(INVALID, &["levels[1].factor"]);
    api.post(path, model("HIGH", &[("A", 12)])).await.problem(INVALID, &["levels[0].factor"]);
    api.post(path, model("NONE", &[])).await.problem(INVALID, &["levels"]);
    api.post(path, model("PROF", &[("A", 1)])).await.problem(CONFLICT, &["code"]);
    for refused in ["BIG", "DUP", "HIGH", "NONE"] {
        api.get(&format!("{path}/{refused}")).await.problem(NOT_FOUND, &[]);
    }

    // PATCH renames a level (same record), swaps names, adds a level; without levels keeps them.
    let prof = &format!("{path}/PROF");
    let renamed = api.patch(prof, json!({"levels": level_list(&[("Beginner", 1), ("Expert", 5)])})).await.is(OK);
    assert_eq!(levels(&renamed), named(&[("Beginner", 1), ("Expert", 5)]));
    assert_eq!(renamed["levels"][0]["rec_id"], created["levels"][0]["rec_id"], "a renamed level keeps its record");
    assert_eq!(renamed["version"], 2);
    let swapped = api.patch(prof, json!({"levels": level_list(&[("Expert", 1), ("Beginner", 5)])})).await.is(OK);
    assert_eq!(levels(&swapped), named(&[("Expert", 1), ("Beginner", 5)]));
    let three = [("Novice", 1), ("Competent", 3), ("Expert", 5)];
    let fixed = api.patch(prof, json!({"name": "Proficiency", "levels": level_list(&three)})).await.is(OK);
    assert_eq!(levels(&fixed), named(&three));
    let described = api.patch(prof, json!({"description": "How well"})).await.is(OK);
    assert_eq!(
        (described["name"].as_str(), described["description"].as_str()),
        (Some("Proficiency"), Some("How well"))
    );
    assert_eq!(levels(&described), named(&three), "a patch without levels keeps them");
    api.patch(prof, json!({"code": "OTHER"})).await.problem(INVALID, &["code"]);

    // A level in use cannot be removed, and the model cannot go while a skill uses it.
    api.create("/hr/skills", json!({"code": "RUST", "name": "Rust", "rating_model": "PROF"})).await;
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    let answer = api.patch(prof, json!({"levels": level_list(&[("Novice", 1)])})).await;
    let detail = answer.problem(CONFLICT, &["levels"])["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("level 'Expert' (factor 5) cannot be removed"), "{detail}");
    assert_eq!(levels(&api.read(prof).await), named(&three), "nothing removed");
    assert_eq!(api.delete(prof).await.detail(CONFLICT), "rating model 'PROF' is still used by 1 skill");

    // An unused model is deleted.
    api.create(path, model("YESNO", &[("No", 0), ("Yes", 1)])).await;
    assert_eq!(api.keys(path, "code").await, ["PROF", "YESNO"]);
    assert_eq!(api.keys(&format!("{path}?limit=1"), "code").await, ["PROF"]);
    api.remove(&format!("{path}/YESNO")).await;
    api.get(&format!("{path}/YESNO")).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn skill_types_and_skills(app: TestApp) {
    let api = Api::admin(&app).await;
    let levels = level_list(&[("Expert", 5)]);
    api.create("/hr/rating-models", json!({"code": "PROF", "name": "Proficiency", "levels": levels})).await;
    let tech = api.create("/hr/skill-types", json!({"code": "TECH", "name": "Technical"})).await;
    assert_eq!(
        (tech["code"].as_str(), tech["name"].as_str(), tech["description"].as_str()),
        (Some("TECH"), Some("Technical"), Some(""))
    );
    api.post("/hr/skill-types", json!({"code": "TECH", "name": "Again"})).await.problem(CONFLICT, &["code"]);
    api.post("/hr/skill-types", json!({"code": "a b", "name": " "})).await.problem(INVALID, &["code", "name"]);

    let skill = |model: &str, skill_type: Option<&str>| json!({"code": "RUST", "name": "Rust", "rating_model": model, "skill_type": skill_type});
    api.post("/hr/skills", skill("NOPE", None)).await.problem(INVALID, &["rating_model"]);
    api.post("/hr/skills", skill("PROF", Some("NOPE"))).await.problem(INVALID, &["skill_type"]);
    api.post("/hr/skills", json!({"code": "RUST", "name": "Rust"})).await.problem(INVALID, &["rating_model"]);
    api.get("/hr/skills/RUST").await.problem(NOT_FOUND, &[]);
    let rust = api.create("/hr/skills", skill("PROF", Some("TECH"))).await;
    let summary =
        |s: &Value| (s["name"].clone(), s["skill_type"].clone(), s["rating_model"].clone(), s["version"].clone());
    assert_eq!(summary(&rust), (json!("Rust"), json!("TECH"), json!("PROF"), json!(1)));
    api.post("/hr/skills", skill("PROF", None)).await.problem(CONFLICT, &["code"]);
    let patched = api.patch("/hr/skills/RUST", json!({"name": "Rust programming"})).await.is(OK);
    assert_eq!(summary(&patched), (json!("Rust programming"), json!("TECH"), json!("PROF"), json!(2)));
    assert_eq!(api.read("/hr/skills/RUST").await, patched);
    api.patch("/hr/skills/RUST", json!({"rating_model": "NOPE"})).await.problem(INVALID, &["rating_model"]);

    // Deleting what is in use is a 409 with a clear message, never a 500.
    let detail = api.delete("/hr/skill-types/TECH").await.detail(CONFLICT);
    assert_eq!(detail, "skill type 'TECH' is still used by 1 skill");
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/skills/RUST", json!({"level": "Expert"})).await.is(OK);
    assert_eq!(api.delete("/hr/skills/RUST").await.detail(CONFLICT), "skill 'RUST' is still used by 1 worker");
    api.read("/hr/skills/RUST").await;

    api.remove("/hr/workers/W1/skills/RUST").await;
    api.remove("/hr/skills/RUST").await;
    api.get("/hr/skills/RUST").await.problem(NOT_FOUND, &[]);
    api.delete("/hr/skills/RUST").await.problem(NOT_FOUND, &[]);
    api.remove("/hr/skill-types/TECH").await;
    assert_eq!(api.read("/hr/skill-types").await, json!({"items": [], "next": null}));
    app.stop().await
}

async fn certificate_types(app: TestApp) {
    let api = Api::admin(&app).await;
    let path = "/hr/certificate-types";
    let forklift = json!({"code": "FORKLIFT", "name": "Forklift licence", "requires_renewal": true});
    let forklift = api.create(path, forklift).await;
    assert_eq!((forklift["requires_renewal"].as_bool(), forklift["description"].as_str()), (Some(true), Some("")));
    let first_aid = api.create(path, json!({"code": "FIRSTAID", "name": "First aid"})).await;
    assert_eq!(first_aid["requires_renewal"], false);
    api.post(path, json!({"code": "FORKLIFT", "name": "Again"})).await.problem(CONFLICT, &["code"]);
    api.post(path, json!({"code": "X"})).await.problem(INVALID, &["name"]);
    let answer = api.post(path, json!({"code": "X", "name": "X", "requires_renewal": "yes"})).await;
    answer.problem(INVALID, &["requires_renewal"]);
    api.post(path, json!({"code": "X", "name": "X", "colour": "red"})).await.is(INVALID);

    let patched = api.patch(&format!("{path}/FORKLIFT"), json!({"description": "Counterbalance trucks"})).await.is(OK);
    let summary = (patched["description"].as_str(), patched["requires_renewal"].as_bool(), patched["version"].as_i64());
    assert_eq!(summary, (Some("Counterbalance trucks"), Some(true), Some(2)));
    assert_eq!(api.keys(path, "code").await, ["FIRSTAID", "FORKLIFT"], "listed by code");

    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    api.put("/hr/workers/W1/certificates/FIRSTAID", json!({"issued_on": "2025-01-01"})).await.is(OK);
    let detail = api.delete(&format!("{path}/FIRSTAID")).await.detail(CONFLICT);
    assert_eq!(detail, "certificate type 'FIRSTAID' is still used by 1 worker");
    api.remove("/hr/workers/W1/certificates/FIRSTAID").await;
    api.remove(&format!("{path}/FIRSTAID")).await;
    api.get(&format!("{path}/FIRSTAID")).await.problem(NOT_FOUND, &[]);
    app.stop().await
}

async fn jobs_and_positions(app: TestApp) {
    let api = Api::admin(&app).await;
    seed_catalog(&api).await;
    let job = |skill: &str, level: &str, cert: &str| {
        json!({"job_id": "DEV", "title": "Developer", "required_skills": [{"skill": skill, "min_level": level}],
               "required_certificates": [cert]})
    };
    let answer = api.post("/hr/jobs", job("NOPE", "Expert", "FIRSTAID")).await;
    answer.problem(INVALID, &["required_skills[0].skill"]);
    let answer = api.post("/hr/jobs", job("RUST", "Guru", "FIRSTAID")).await;
    answer.problem(INVALID, &["required_skills[0].min_level"]);
    let answer = api.post("/hr/jobs", job("RUST", "Expert", "NOPE")).await;
    answer.problem(INVALID, &["required_certificates[0]"]);
    let dev = api.create("/hr/jobs", job("RUST", "competent", "FIRSTAID")).await;
    let rust_competent = json!([{"skill": "RUST", "min_level": "Competent", "min_factor": 3}]);
    assert_eq!(dev["required_skills"], rust_competent);
    assert_eq!(dev["required_certificates"], json!(["FIRSTAID"]));
    api.post("/hr/jobs", job("RUST", "Expert", "FIRSTAID")).await.problem(CONFLICT, &["job_id"]);

    // A position inherits its job's title and requirements, live.
    let position = |number: &str, job: &str, worker: Option<&str>| json!({"position_number": number, "job_id": job, "worker": worker, "location": "Oslo"});
    api.post("/hr/positions", position("P-1", "NOPE", None)).await.problem(INVALID, &["job_id"]);
    api.post("/hr/positions", position("P-1", "DEV", Some("NOBODY"))).await.problem(INVALID, &["worker"]);
    let p1 = api.create("/hr/positions", position("P-1", "DEV", None)).await;
    assert_eq!(
        (p1["title"].as_str(), p1["location"].as_str(), &p1["worker"]),
        (Some("Developer"), Some("Oslo"), &Value::Null)
    );
    assert_eq!((&p1["required_skills"], &p1["required_certificates"]), (&rust_competent, &json!(["FIRSTAID"])));
    api.post("/hr/positions", position("P-1", "DEV", None)).await.problem(CONFLICT, &["position_number"]);
    let requirements = json!([{"skill": "RUST", "min_level": "Expert"}, {"skill": "SQL", "min_level": "Novice"}]);
    let body = json!({"required_skills": requirements, "required_certificates": []});
    api.patch("/hr/jobs/DEV", body).await.is(OK);
    let p1 = api.read("/hr/positions/P-1").await;
    let expected = json!([{"skill": "RUST", "min_level": "Expert", "min_factor": 5},
                          {"skill": "SQL", "min_level": "Novice", "min_factor": 1}]);
    assert_eq!((&p1["required_skills"], &p1["required_certificates"]), (&expected, &json!([])));

    // Assigned to a worker, the worker shows it; a second position for them is a 409.
    worker(&api, Some("W1"), "Ada", "Lovelace").await;
    let assigned = api.patch("/hr/positions/P-1", json!({"worker": "W1"})).await.is(OK);
    assert_eq!((assigned["worker"].as_str(), assigned["title"].as_str()), (Some("W1"), Some("Developer")));
    assert_eq!(api.read("/hr/workers/W1").await["position"], "P-1");
    api.post("/hr/positions", position("P-2", "DEV", Some("W1"))).await.problem(CONFLICT, &["worker"]);
    let p2 = api.create("/hr/positions", json!({"position_number": "P-2", "job_id": "DEV", "title": "Lead"})).await;
    assert_eq!((p2["title"].as_str(), &p2["worker"]), (Some("Lead"), &Value::Null));
    api.patch("/hr/positions/P-2", json!({"worker": "W1"})).await.problem(CONFLICT, &["worker"]);
    assert_eq!(api.read("/hr/positions/P-2").await["worker"], Value::Null);
    let again = api.patch("/hr/positions/P-1", json!({"worker": "W1", "location": "Bergen"})).await.is(OK);
    assert_eq!((again["worker"].as_str(), again["location"].as_str()), (Some("W1"), Some("Bergen")));

    // What is in use cannot be deleted.
    let detail = api.delete("/hr/workers/W1").await.detail(CONFLICT);
    assert!(detail.contains("holds position 'P-1'"), "{detail}");
    assert_eq!(api.delete("/hr/jobs/DEV").await.detail(CONFLICT), "job 'DEV' is still used by 2 positions");
    assert_eq!(api.delete("/hr/skills/SQL").await.detail(CONFLICT), "skill 'SQL' is still used by 1 job");
    let body = json!({"levels": level_list(&[("Expert", 5)])});
    api.patch("/hr/rating-models/PROF", body).await.problem(CONFLICT, &["levels"]);

    // Unassigned, the worker can go; without positions, the job can go.
    assert_eq!(api.patch("/hr/positions/P-1", json!({"worker": null})).await.is(OK)["worker"], Value::Null);
    assert_eq!(api.read("/hr/workers/W1").await["position"], Value::Null);
    api.remove("/hr/workers/W1").await;
    assert_eq!(api.keys("/hr/positions", "position_number").await, ["P-1", "P-2"]);
    api.remove("/hr/positions/P-1").await;
    api.remove("/hr/positions/P-2").await;
    api.remove("/hr/jobs/DEV").await;
    api.remove("/hr/skills/SQL").await;
    assert_eq!(api.read("/hr/jobs").await["items"], json!([]));
    app.stop().await
}
