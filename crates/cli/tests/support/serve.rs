//! A real `hrbridge serve` for the CLI crate's tests: started on a free port over a data
//! directory (SQLite) or PostgreSQL databases, killed and reaped when dropped.

#![allow(dead_code)]

use hrbridge_testkit::PgDatabases;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_hrbridge");
/// The password `admin` is created with.
pub const PASSWORD: &str = "serve-test-admin-password";

/// A running `hrbridge serve`, killed and reaped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `kill -9`: no shutdown, no lease released, transactions cut wherever they are.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL the server");
        let status = self.child.wait().expect("reap the server");
        assert!(!status.success(), "killed, not exited: {status}");
    }

    /// Ctrl-C: a clean shutdown (the relay lease is given up).
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().expect("run kill");
        assert!(sent.success(), "kill -INT {pid}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("poll the server") {
                assert!(status.success(), "hrbridge serve stopped with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("hrbridge serve did not stop within 30 s of Ctrl-C");
    }
}

/// The stores: a data dir (SQLite), or PostgreSQL databases.
pub struct Stores<'a> {
    pub dir: &'a Path,
    pub pg: Option<&'a PgDatabases>,
}

impl Stores<'_> {
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command.args(args).arg("--data-dir").arg(self.dir);
        command.env("HRBRIDGE_ADMIN_PASSWORD", PASSWORD).env("HRBRIDGE_LOG", "warn").current_dir(self.dir);
        if let Some(pg) = self.pg {
            command.env("HRBRIDGE_HR_DATABASE_URL", pg.url(0)).env("HRBRIDGE_SCHEDULING_DATABASE_URL", pg.url(1));
        }
        command
    }

    pub fn serve(&self) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port();
        let mut command = self.command(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
        let child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start hrbridge serve");
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let mut lines = BufReader::new(server.child.stdout.take().expect("stdout")).lines();
        let mut printed = Vec::new();
        // "hrbridge is listening on …" once the socket is bound; a crash ends the output.
        while let Some(Ok(line)) = lines.next() {
            if line.starts_with("hrbridge is listening") {
                return server;
            }
            printed.push(line);
        }
        panic!("hrbridge serve did not start: {printed:?}");
    }

    pub fn reconcile(&self) -> Output {
        self.command(&["integration", "reconcile"]).output().expect("run hrbridge integration reconcile")
    }
}
