//! Centrality measures: PageRank, betweenness, closeness, degree.

mod betweenness;
mod closeness;
mod degree;
mod pagerank;

pub use betweenness::{betweenness, betweenness_from_sources, BetweennessOptions};
pub use closeness::closeness;
pub use degree::degree;
pub use pagerank::{pagerank, PageRankOptions, PageRankResult};
