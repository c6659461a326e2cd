// hrbridge console: the only script, and every page works without it except the live progress
// of a running sync now job, which without it shows the state when the page was loaded.
"use strict";

// Forms with data-confirm ask before they are sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A <progress data-job="URL"> follows its job: it asks URL (JSON: state, done, total, message)
// twice a second until the job has finished, then says how it ended.
function followJob(bar) {
  const url = bar.getAttribute("data-job");
  const status = document.getElementById(bar.getAttribute("aria-describedby"));
  const tick = async () => {
    let job;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
        // The session has ended: the answer is the sign-in page. Stop and say so.
        if (status) status.textContent = "Your session has ended: reload the page and sign in to follow the job.";
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      job = await response.json();
    } catch (e) {
      if (status) status.textContent = "Cannot read the job's progress (" + e.message + "); retrying…";
      setTimeout(tick, 2000);
      return;
    }
    const total = Math.max(job.total || 0, 1);
    bar.max = total;
    // A finished job fills its bar, even one that had nothing to sync.
    bar.value = job.state === "done" ? total : Math.min(job.done || 0, total);
    bar.setAttribute("data-state", job.state);
    const going = job.state === "running" || job.state === "queued";
    if (status) {
      status.textContent = going
        ? "Running: " + job.done + " of " + job.total + " records"
        : job.state === "done"
          ? "Done: " + job.done + " of " + job.total + " records synced"
          : "Failed: " + (job.message || "see the errors below");
    }
    if (going) setTimeout(tick, 500);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("progress[data-job]").forEach(followJob);
});
