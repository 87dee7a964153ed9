//! Local structure: triangle counts and k-core decomposition.

use crate::csr::{Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation};

/// The number of triangles through each node, the graph taken as undirected and simple, as
/// networkx's `triangles` counts them: a triangle is three distinct nodes pairwise joined by
/// at least one relationship in either direction; parallel relationships, direction and
/// self-loops do not matter.
///
/// Each node's neighbours ranked above it by (degree, index) are marked and intersected with
/// theirs, so each triangle is found once (`O(m^1.5)`).
///
/// Errors: [`AlgoError::Interrupted`].
pub fn triangle_count<G: AlgoGraph>(g: G, interrupt: Interrupt<'_>) -> Result<NodeValues<G::NodeId, u64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let adj = Csr::build(g, &nodes, Spec::plain(Dir::Both, Loops::Drop, Merge::Sum), &mut ticker)?;
    let degree: Vec<usize> = (0..n).map(|u| adj.neighbors(u).len()).collect();
    let above = |u: usize, v: usize| (degree[v], v) > (degree[u], u);
    // The forward adjacency: each node's higher-ranked neighbours.
    let mut offsets = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(adj.entry_count() / 2);
    offsets.push(0);
    for u in 0..n {
        targets.extend(adj.neighbors(u).iter().copied().filter(|&v| above(u, v as usize)));
        offsets.push(targets.len());
    }
    drop(adj);
    let forward = |u: usize| &targets[offsets[u]..offsets[u + 1]];
    let mut mark = vec![u32::MAX; n];
    let mut count = vec![0u64; n];
    for u in 0..n {
        ticker.tick()?;
        for &v in forward(u) {
            mark[v as usize] = u as u32;
        }
        for &v in forward(u) {
            for &w in forward(v as usize) {
                if mark[w as usize] == u as u32 {
                    count[u] += 1;
                    count[v as usize] += 1;
                    count[w as usize] += 1;
                }
            }
        }
    }
    Ok(nodes.zip(count))
}

/// The coreness of each node: the largest `k` such that the node belongs to a subgraph in
/// which every node has degree at least `k` (networkx's `core_number`), by Batagelj and
/// Zaversnik's bucket algorithm in `O(m)`.
///
/// Degree is networkx's: with `Natural` or `Reverse` on a directed graph, in-degree plus
/// out-degree of the simple directed graph (two nodes joined both ways count twice);
/// with `Undirected`, or on an undirected graph, the degree of the simple undirected graph.
/// Parallel relationships count once; self-loops, which networkx refuses, are ignored.
///
/// Errors: [`AlgoError::Interrupted`].
pub fn kcore<G: AlgoGraph>(
    g: G,
    orientation: Orientation,
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, u64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let adjacency: Vec<Csr> = match Dir::of(orientation, g.is_directed()) {
        Dir::Both => vec![Csr::build(
            g,
            &nodes,
            Spec::plain(Dir::Both, Loops::Drop, Merge::Sum),
            &mut ticker,
        )?],
        _ => vec![
            Csr::build(g, &nodes, Spec::plain(Dir::Out, Loops::Drop, Merge::Sum), &mut ticker)?,
            Csr::build(g, &nodes, Spec::plain(Dir::In, Loops::Drop, Merge::Sum), &mut ticker)?,
        ],
    };
    let mut degree: Vec<usize> = (0..n)
        .map(|u| adjacency.iter().map(|a| a.neighbors(u).len()).sum())
        .collect();
    let max = degree.iter().copied().max().unwrap_or(0);
    // Nodes sorted by degree (`vert`), each one's position (`pos`), each degree's first slot (`bin`).
    let mut bin = vec![0usize; max + 2];
    for &d in &degree {
        bin[d + 1] += 1;
    }
    for d in 0..=max {
        bin[d + 1] += bin[d];
    }
    let mut pos = vec![0usize; n];
    let mut vert = vec![0u32; n];
    {
        let mut next = bin.clone();
        for v in 0..n {
            pos[v] = next[degree[v]];
            vert[pos[v]] = v as u32;
            next[degree[v]] += 1;
        }
    }
    for i in 0..n {
        ticker.tick()?;
        let v = vert[i] as usize;
        for a in &adjacency {
            for &u in a.neighbors(v) {
                let u = u as usize;
                if degree[u] > degree[v] {
                    // Move u to the front of its bin, then shrink its degree by one.
                    let du = degree[u];
                    let front = bin[du];
                    let w = vert[front] as usize;
                    if u != w {
                        vert.swap(pos[u], front);
                        pos[w] = pos[u];
                        pos[u] = front;
                    }
                    bin[du] += 1;
                    degree[u] -= 1;
                }
            }
        }
    }
    Ok(nodes.zip(degree.into_iter().map(|d| d as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, UnGraph};

    fn values(v: NodeValues<petgraph::graph::NodeIndex, u64>) -> Vec<u64> {
        v.into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn triangles_of_a_diamond_with_noise() {
        // 0-1-2-0 and 1-2-3-1 share the edge 1-2; parallel, reversed and looping extras change nothing.
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (1, 0), (2, 2), (0, 1)]);
        assert_eq!(values(triangle_count(&g, &never).unwrap()), [1, 2, 2, 1]);
        let k4 = UnGraph::<(), ()>::from_edges([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
        assert_eq!(values(triangle_count(&k4, &never).unwrap()), [3, 3, 3, 3]);
    }

    #[test]
    fn cores() {
        // A 4-clique 0..3 with a tail 3-4-5 and an isolated node 6.
        let mut g = UnGraph::<(), ()>::from_edges([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (3, 4), (4, 5)]);
        g.add_node(());
        assert_eq!(
            values(kcore(&g, Orientation::Natural, &never).unwrap()),
            [3, 3, 3, 3, 1, 1, 0]
        );
    }

    #[test]
    fn directed_cores_count_both_directions() {
        // networkx core_number(DiGraph([(0,1),(1,0),(1,2)])) = {0: 2, 1: 2, 2: 1}.
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 0), (1, 2), (1, 2), (2, 2)]);
        assert_eq!(values(kcore(&g, Orientation::Natural, &never).unwrap()), [2, 2, 1]);
        assert_eq!(values(kcore(&g, Orientation::Undirected, &never).unwrap()), [1, 1, 1]);
    }

    #[test]
    fn interrupted() {
        let g = UnGraph::<(), ()>::from_edges([(0, 1)]);
        let stop = || true;
        assert_eq!(triangle_count(&g, &stop), Err(AlgoError::Interrupted));
        assert_eq!(kcore(&g, Orientation::Natural, &stop), Err(AlgoError::Interrupted));
    }
}
