//! `cargo run -p xtask -- site [--release] [--site-root DIR]`: builds the browser bundle the
//! server's pages hydrate with, into `DIR/pkg` (default `target/site`):
//!
//! 1. `cargo build -p gatehouse_frontend --lib --target wasm32-unknown-unknown` (profile
//!    `wasm-dev`: dev without debug info; or `wasm-release` with `--release`: size-optimized, LTO);
//! 2. wasm-bindgen (the `wasm-bindgen-cli-support` library, the version in Cargo.lock) writes
//!    `gatehouse.js` and `gatehouse_bg.wasm`, the names leptos's `HydrationScripts` asks for;
//! 3. with `--release`, `wasm-opt -O1` (npm `binaryen`, on PATH) shrinks the bundle: it drops
//!    the 6 MB name section and gives the smallest download (gzip) of the levels measured, in a
//!    fifth of `-Oz`'s time (BENCHMARKS.md, "Hydration bundle");
//! 4. `style/main.css` becomes `pkg/gatehouse.css`; `public/` is copied to the site root.
//!
//! The server itself is built by cargo as usual (`cargo build -p gatehouse_server`).
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const BUNDLE: &str = "gatehouse";
const FRONTEND: &str = "gatehouse_frontend";
/// BENCHMARKS.md "Hydration bundle" compares the levels.
const WASM_OPT_LEVEL: &str = "-O1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("site") => match Site::from_args(&args[1..]).and_then(|s| s.build()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("[site] {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo run -p xtask -- site [--release] [--site-root DIR]");
            ExitCode::from(2)
        }
    }
}

struct Site {
    release: bool,
    root: PathBuf,
    workspace: PathBuf,
    target: PathBuf,
}

impl Site {
    fn from_args(args: &[String]) -> Result<Site, String> {
        // The checkout `cargo run` was started in (cargo sets CARGO_MANIFEST_DIR for the run),
        // not the one this binary was compiled in: two checkouts sharing one target dir share
        // this binary, and each must build its own sources.
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let workspace = manifest.parent().expect("xtask lives in the workspace").to_path_buf();
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
        let mut site = Site { release: false, root: workspace.join("target/site"), workspace, target };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--release" => site.release = true,
                "--site-root" => site.root = it.next().map(PathBuf::from).ok_or("--site-root needs a directory")?,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(site)
    }

    fn build(&self) -> Result<(), String> {
        let pkg = self.root.join("pkg");
        std::fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
        let wasm = self.compile()?;
        // The same compiled bundle as last time: what was made of it is still there (a second
        // run starts in seconds; wasm-opt alone takes a minute or more).
        let stamp = pkg.join(".built-from");
        let source = fingerprint(&wasm, self.profile());
        let out = pkg.join(format!("{BUNDLE}_bg.wasm"));
        if out.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(source.as_str()) {
            eprintln!("[site] bundle unchanged");
        } else {
            let _ = std::fs::remove_file(&stamp);
            self.bindgen(&wasm, &pkg)?;
            std::fs::write(&stamp, &source).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
        }
        // No leftovers of another builder (cargo-leptos names the bundle gatehouse.wasm).
        let _ = std::fs::remove_file(pkg.join(format!("{BUNDLE}.wasm")));
        copy(&self.workspace.join("style/main.css"), &pkg.join(format!("{BUNDLE}.css")))?;
        copy_dir(&self.workspace.join("public"), &self.root)?;
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        eprintln!("[site] {} ({} KB, profile {})", self.root.display(), size / 1024, self.profile());
        Ok(())
    }

    /// wasm-bindgen's JS glue and bundle, then (release) wasm-opt.
    fn bindgen(&self, wasm: &Path, pkg: &Path) -> Result<(), String> {
        let t = Instant::now();
        let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
        bindgen.input_path(&wasm).out_name(BUNDLE).web(true).map_err(|e| format!("wasm-bindgen: {e:#}"))?;
        bindgen.generate(&pkg).map_err(|e| format!("wasm-bindgen: {e:#}"))?;
        eprintln!("[site] wasm-bindgen {:.1} s", t.elapsed().as_secs_f64());
        if self.release {
            let out = pkg.join(format!("{BUNDLE}_bg.wasm"));
            let t = Instant::now();
            run(Command::new(std::env::var_os("WASM_OPT").unwrap_or_else(|| "wasm-opt".into())).arg(WASM_OPT_LEVEL).arg("--enable-bulk-memory").arg(&out).arg("-o").arg(&out), "wasm-opt (npm binaryen; scripts/setup-tools.sh installs it)")?;
            eprintln!("[site] wasm-opt {WASM_OPT_LEVEL} {:.1} s", t.elapsed().as_secs_f64());
        }
        Ok(())
    }

    /// The frontend crate compiled to WASM; its path.
    fn compile(&self) -> Result<PathBuf, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&self.workspace).args(["build", "-p", FRONTEND, "--lib", "--target", "wasm32-unknown-unknown"]);
        cmd.args(["--profile", self.profile()]);
        let t = Instant::now();
        run(&mut cmd, "cargo build of the frontend (is the wasm32-unknown-unknown target installed?)")?;
        eprintln!("[site] cargo build {FRONTEND} {:.1} s", t.elapsed().as_secs_f64());
        Ok(self.target.join("wasm32-unknown-unknown").join(self.profile()).join(format!("{FRONTEND}.wasm")))
    }

    fn profile(&self) -> &'static str {
        if self.release {
            "wasm-release"
        } else {
            "wasm-dev"
        }
    }
}

/// What the bundle was made from: the compiled file's size and time, and the profile.
fn fingerprint(wasm: &Path, profile: &str) -> String {
    let meta = std::fs::metadata(wasm).ok();
    let modified = meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{profile} {} {modified} wasm-opt {WASM_OPT_LEVEL} xtask {}\n", meta.map(|m| m.len()).unwrap_or(0), env!("CARGO_PKG_VERSION"))
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed ({s})")),
        Err(e) => Err(format!("{what} could not start: {e}")),
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let dest = to.join(path.file_name().expect("an entry has a name"));
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            copy(&path, &dest)?;
        }
    }
    Ok(())
}
