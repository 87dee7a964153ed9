//! Degree and weighted degree.

use crate::csr::{Dir, Nodes, Ticker};
use crate::error::check_weight;
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, Weight};

/// Degree of each node: the number of relationships (or, with a weight, their total
/// weight) leaving it (`Natural`), entering it (`Reverse`) or both (`Undirected`, and always
/// on an undirected graph), as networkx's `out_degree` / `in_degree` / `degree` with
/// `weight=` count them: parallel relationships each count, and a self-loop counts once
/// leaving and once entering, so twice in the undirected degree. Negative weights are summed
/// as they are.
///
/// Errors: a non-finite weight, [`AlgoError::Interrupted`].
pub fn degree<G: AlgoGraph>(
    g: G,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, f64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let dir = Dir::of(orientation, g.is_directed());
    let mut degree = vec![0.0f64; nodes.len()];
    for e in g.edge_references() {
        ticker.tick()?;
        let Some((s, t)) = nodes.ends(g, &e) else { continue };
        let w = match weight {
            Some(f) => check_weight(f(e), true)?,
            None => 1.0,
        };
        match dir {
            Dir::Out => degree[s as usize] += w,
            Dir::In => degree[t as usize] += w,
            Dir::Both => {
                degree[s as usize] += w;
                degree[t as usize] += w;
            }
        }
    }
    Ok(nodes.zip(degree))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeReference, UnGraph};

    fn values(v: NodeValues<petgraph::graph::NodeIndex, f64>) -> Vec<f64> {
        v.into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn orientations_loops_and_parallels() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (0, 1, 0.5), (1, 1, 3.0), (2, 0, -1.0)]);
        assert_eq!(
            values(degree(&g, Orientation::Natural, None, &never).unwrap()),
            [2.0, 1.0, 1.0]
        );
        assert_eq!(
            values(degree(&g, Orientation::Reverse, None, &never).unwrap()),
            [1.0, 3.0, 0.0]
        );
        assert_eq!(
            values(degree(&g, Orientation::Undirected, None, &never).unwrap()),
            [3.0, 4.0, 1.0]
        );
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        assert_eq!(
            values(degree(&g, Orientation::Natural, Some(&w), &never).unwrap()),
            [2.5, 3.0, -1.0]
        );
        let u = UnGraph::<(), ()>::from_edges([(0, 0), (0, 1)]);
        assert_eq!(
            values(degree(&u, Orientation::Natural, None, &never).unwrap()),
            [3.0, 1.0]
        );
    }

    #[test]
    fn non_finite_weights_are_refused() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, f64::NAN)]);
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        assert!(matches!(
            degree(&g, Orientation::Natural, Some(&w), &never),
            Err(AlgoError::NonFiniteWeight { .. })
        ));
    }
}
