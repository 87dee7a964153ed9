//! quiver: an embedded property-graph database implementing a subset of the
//! openCypher query language, tested against the openCypher TCK.

pub mod value;
