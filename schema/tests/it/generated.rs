//! The committed Rust code for trace.capnp matches the schema.
//!
//! Regenerate with `schema/regen.sh`; the change then shows in the diff
//! for review.

use std::path::Path;
use std::process::Command;

#[test]
fn generated_code_matches_schema() {
    let schema_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if Command::new("capnp").arg("--version").output().is_err() {
        // CI installs Debian's capnproto; there a missing tool is a failure,
        // not a reason to skip the only check of the generated code.
        assert!(
            std::env::var_os("CI").is_none(),
            "capnp is not installed: run .ci/install-deps"
        );
        eprintln!("capnp not installed; generated code not checked");
        return;
    }
    let out = std::env::temp_dir().join(format!("vmscope-capnpc-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    capnpc::CompilerCommand::new()
        .src_prefix(schema_dir)
        .file(schema_dir.join("trace.capnp"))
        .output_path(&out)
        .run()
        .expect("capnp compile");
    let fresh = std::fs::read_to_string(out.join("trace_capnp.rs")).unwrap();
    std::fs::remove_dir_all(&out).ok();
    let committed_path = schema_dir.join("src/trace_capnp.rs");
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "schema/src/trace_capnp.rs is stale: run schema/regen.sh and review the diff"
    );
}
