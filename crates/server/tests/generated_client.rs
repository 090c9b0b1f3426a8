//! A client generated from the served OpenAPI document by a real generator
//! (`openapi-python-client`) round-trips records and portals against the live app.
//!
//! The generator must produce no warning: a warning means it dropped or weakened part of the
//! document (an untyped model, a skipped operation), which is exactly what integrators hit.
//! Without the generator the test prints SKIPPED, unless `PORTICO_REQUIRE_CLIENTGEN=1` (CI),
//! where a missing generator fails it. `.ci/run` installs the generator in a venv and exports
//! `PORTICO_OPENAPI_PYTHON_CLIENT` (the generator) and `PORTICO_OPENAPI_PYTHON` (the venv's
//! Python, which has the generated client's dependencies: httpx, attrs, python-dateutil).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{ADMIN, Backend, spawn};

/// The generator and the Python to run the generated client with, or why they are missing.
fn toolchain() -> Result<(PathBuf, PathBuf), String> {
    let generator = std::env::var_os("PORTICO_OPENAPI_PYTHON_CLIENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("openapi-python-client"));
    let python = std::env::var_os("PORTICO_OPENAPI_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            // The venv's own Python sits beside its generator.
            generator
                .parent()
                .map(|dir| dir.join("python3"))
                .filter(|p| p.exists())
        })
        .unwrap_or_else(|| PathBuf::from("python3"));
    match Command::new(&generator).arg("--version").output() {
        Ok(out) if out.status.success() => Ok((generator, python)),
        Ok(out) => Err(format!(
            "{} --version failed: {}",
            generator.display(),
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) => Err(format!("{} not runnable: {e}", generator.display())),
    }
}

/// A fresh directory under the system's temp dir, removed when the test ends.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("portico-clientgen-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    format!("{stdout}{stderr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_python_client_round_trips_records_and_portals() {
    let (generator, python) = match toolchain() {
        Ok(found) => found,
        Err(why) => {
            if std::env::var("PORTICO_REQUIRE_CLIENTGEN").as_deref() == Ok("1") {
                panic!(
                    "PORTICO_REQUIRE_CLIENTGEN=1 but the client generator is missing: {why}\n\
                     install it: python3 -m venv .venv && .venv/bin/pip install openapi-python-client \
                     and set PORTICO_OPENAPI_PYTHON_CLIENT=.venv/bin/openapi-python-client"
                );
            }
            eprintln!("SKIPPED generated client round trip: {why}");
            return;
        }
    };
    let app = spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always there");

    let dir = ScratchDir::new();
    let doc = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc_path = dir.path().join("openapi.json");
    std::fs::write(&doc_path, doc).unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "project_name_override: portico-client\npackage_name_override: portico_client\n",
    )
    .unwrap();
    // With `--meta none` the output path is the package itself.
    let out_dir = dir.path().join("portico_client");

    // The generator formats its output with ruff, installed beside it in the venv.
    let mut path = generator
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| vec![dir.to_path_buf()])
        .unwrap_or_default();
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let generated = run(
        Command::new(&generator)
            .env("PATH", std::env::join_paths(path).unwrap())
            .arg("generate")
            .arg("--path")
            .arg(&doc_path)
            .arg("--config")
            .arg(&config)
            .arg("--output-path")
            .arg(&out_dir)
            .args(["--meta", "none", "--fail-on-warning"]),
        "openapi-python-client generate",
    );
    let warnings: Vec<&str> = generated
        .lines()
        .filter(|l| l.to_lowercase().contains("warning") || l.to_lowercase().contains("error"))
        .collect();
    assert!(warnings.is_empty(), "the generator warned:\n{generated}");
    assert!(
        out_dir.join("models").join("record.py").exists(),
        "no typed Record model in the generated client:\n{generated}"
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("generated_client")
        .join("round_trip.py");
    let (email, password) = ADMIN;
    let output = run(
        Command::new(&python)
            .arg("-W")
            .arg("error")
            .arg(&script)
            .env("PYTHONPATH", dir.path())
            .env("PORTICO_BASE_URL", &app.base)
            .env("PORTICO_EMAIL", email)
            .env("PORTICO_PASSWORD", password)
            .env("PORTICO_PORTAL_ID", app.fx.portal.to_string()),
        "the round trip through the generated client",
    );
    assert!(
        output.contains("round trip ok"),
        "the script did not finish:\n{output}"
    );
}
