//! `Database::deny_writes`: a handle that refuses plans that write.

use quiver::{Database, ErrorKind, Params};

#[test]
fn a_handle_denying_writes_refuses_writing_plans_and_runs_reads() {
    let db = Database::in_memory();
    db.execute("CREATE (:A {x: 1})", &Params::new()).unwrap();
    let reader = db.session();
    reader.deny_writes(true);
    for q in [
        "CREATE (:B)",
        "MATCH (a:A) SET a.x = 2",
        "MATCH (a:A) DETACH DELETE a",
        "MERGE (:C)",
        "MATCH (a:A) WITH a WHERE false CREATE (:D)",
    ] {
        let e = reader.execute(q, &Params::new()).unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::IoError, "ReadOnly"), "{q}");
    }
    // Inside an explicit transaction too.
    reader.begin().unwrap();
    assert!(reader.execute("CREATE (:B)", &Params::new()).is_err());
    reader.rollback().unwrap();
    let r = reader.execute("MATCH (a:A) RETURN a.x AS x", &Params::new()).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(db.counts(), (1, 0));
    // The other handle still writes; and so does this one once allowed.
    db.execute("CREATE (:B)", &Params::new()).unwrap();
    reader.deny_writes(false);
    reader.execute("CREATE (:B)", &Params::new()).unwrap();
    assert_eq!(db.counts(), (3, 0));
}
