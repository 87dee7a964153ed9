//! Closeness centrality with the Wasserman–Faust correction, as networkx's
//! `closeness_centrality(wf_improved=True)` computes it.

use crate::csr::{Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::paths::Search;
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, Weight};

/// Closeness centrality: for node `u` reached from `r - 1` other nodes at total distance
/// `D`, `((r - 1) / D) * ((r - 1) / (n - 1))` — the inverse mean distance to the nodes it
/// can be reached from, scaled by the fraction of nodes that can reach it (Wasserman &
/// Faust's correction for disconnected graphs); 0 when nothing reaches it.
///
/// Distances are *incoming* as networkx defines them for directed graphs: with
/// `Orientation::Natural`, `u`'s distances are those of paths ending at `u` (networkx runs
/// on `G.reverse()`); `Reverse` uses paths starting at `u`; undirected graphs and
/// `Undirected` use both. Without a weight, a distance counts relationships; with one, it sums
/// weights (must be non-negative; parallel relationships count by the cheapest).
///
/// Errors: a negative or non-finite weight, [`AlgoError::Interrupted`].
pub fn closeness<G: AlgoGraph>(
    g: G,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, f64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let dir = Dir::of(orientation, g.is_directed()).flipped();
    let weighted = weight.is_some();
    let spec = Spec::plain(dir, Loops::Drop, if weighted { Merge::Min } else { Merge::Keep });
    let csr = Csr::build(
        g,
        &nodes,
        if weighted { spec.weighted(weight, false) } else { spec },
        &mut ticker,
    )?;
    let mut search = Search::new(n);
    let mut scores = vec![0.0f64; n];
    for (s, score) in scores.iter_mut().enumerate() {
        ticker.check()?;
        let (reached, total) = if weighted {
            search.dijkstra(&csr, s as u32, None, None, &mut ticker)?;
            let total: f64 = search.settled().iter().map(|&v| search.dist[v as usize]).sum();
            (search.settled().len(), total)
        } else {
            search.bfs(&csr, s as u32, None, &mut ticker)?;
            let total: u64 = search.settled().iter().map(|&v| search.hops[v as usize] as u64).sum();
            (search.settled().len(), total as f64)
        };
        if total > 0.0 && n > 1 {
            let others = (reached - 1) as f64;
            *score = (others / total) * (others / (n - 1) as f64);
        }
    }
    Ok(nodes.zip(scores))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeReference, UnGraph};

    fn values(g: impl AlgoGraph, o: Orientation) -> Vec<f64> {
        closeness(g, o, None, &never)
            .unwrap()
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    }

    #[test]
    fn a_path_and_an_isolated_node() {
        // 0-1-2 and 3 alone: node 1 has distances 1 + 1 over 2 reached of 3 others.
        let mut g = UnGraph::<(), ()>::from_edges([(0, 1), (1, 2)]);
        g.add_node(());
        let v = values(&g, Orientation::Natural);
        let expect = [
            (2.0 / 3.0) * (2.0 / 3.0),
            (2.0 / 2.0) * (2.0 / 3.0),
            (2.0 / 3.0) * (2.0 / 3.0),
            0.0,
        ];
        for (a, b) in v.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12, "{v:?}");
        }
    }

    #[test]
    fn directed_distances_are_incoming() {
        // 0 -> 1 -> 2: node 2 is reached from 0 and 1 (distances 2 and 1), node 0 from nobody.
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2)]);
        let v = values(&g, Orientation::Natural);
        assert_eq!(v[0], 0.0);
        assert!((v[1] - 1.0 * 0.5).abs() < 1e-12);
        assert!((v[2] - (2.0 / 3.0) * 1.0).abs() < 1e-12);
        let r = values(&g, Orientation::Reverse);
        assert!((r[0] - 2.0 / 3.0).abs() < 1e-12 && r[2] == 0.0);
    }

    #[test]
    fn weights_are_distances() {
        let g = UnGraph::<(), f64>::from_edges([(0, 1, 2.0), (1, 2, 3.0), (0, 1, 1.0)]);
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        let v: Vec<f64> = closeness(&g, Orientation::Natural, Some(&w), &never)
            .unwrap()
            .into_iter()
            .map(|x| x.1)
            .collect();
        // node 0: distances 1 and 4.
        assert!((v[0] - 2.0 / 5.0).abs() < 1e-12, "{v:?}");
        let stop = || true;
        assert_eq!(
            closeness(&g, Orientation::Natural, None, &stop),
            Err(AlgoError::Interrupted)
        );
    }
}
