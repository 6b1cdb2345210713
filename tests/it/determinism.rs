//! Same specs and seeds give byte-identical output whatever the thread
//! count.

use crate::common::{assert_same_tree, build_ok, project, tree};

#[test]
fn site_is_byte_identical_with_one_thread_and_with_many() {
    let one = project("tiny");
    let many = project("tiny");
    build_ok(one.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "1")]);
    build_ok(many.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "4")]);
    let (a, b) = (
        tree(&one.path().join("site")),
        tree(&many.path().join("site")),
    );
    assert_same_tree(&a, &b, "1 thread against 4 threads");
}
