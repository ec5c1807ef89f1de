//! Golden outputs of the committed sample traces: every subcommand and
//! format, compared byte for byte with `traces/golden/`. After a change
//! that is meant to alter them, regenerate with
//! `VMSCOPE_BLESS=1 cargo test -p vmscope --test it golden` and review the
//! diff.

use std::path::Path;
use std::process::Command;

const RUNS: &[(&str, &[&str])] = &[
    ("syscalls.txt", &["syscalls"]),
    ("syscalls.strace", &["syscalls", "--format", "strace"]),
    ("syscalls.jsonl", &["syscalls", "--format", "jsonl"]),
    ("files.txt", &["files"]),
    ("files.csv", &["files", "--format", "csv"]),
    ("procs.txt", &["procs"]),
    ("procs.jsonl", &["procs", "--format", "jsonl"]),
];

#[test]
fn golden_outputs_of_sample_traces() {
    let traces = Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces");
    let golden = traces.join("golden");
    let bless = std::env::var_os("VMSCOPE_BLESS").is_some();
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut names: Vec<_> = std::fs::read_dir(&traces)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vmt"))
        .collect();
    names.sort();
    for trace in names {
        let stem = trace.file_stem().unwrap().to_string_lossy().into_owned();
        for (suffix, args) in RUNS {
            let output = Command::new(env!("CARGO_BIN_EXE_vmscope"))
                .args(*args)
                .arg(&trace)
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{stem} {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let path = golden.join(format!("{stem}.{suffix}"));
            if bless {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(&path, &output.stdout).unwrap();
                continue;
            }
            let expected = std::fs::read(&path).unwrap_or_default();
            compared += 1;
            if expected != output.stdout {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "outputs differ from (or lack) their golden files: {failures:?}\n\
         if the change is intended: VMSCOPE_BLESS=1 cargo test -p vmscope --test it golden"
    );
    assert!(bless || compared >= 21, "only {compared} outputs compared");
}
