//! PageRank by power iteration, as networkx's `pagerank` computes it.

use crate::csr::{Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, Weight};

/// Parameters of [`pagerank`]; the defaults are the procedure's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRankOptions {
    /// Which way relationships carry rank (`orientation`, default `NATURAL`).
    pub orientation: Orientation,
    /// The probability of following a relationship rather than jumping (`dampingFactor`, 0.85).
    pub damping_factor: f64,
    /// The most power iterations run (`maxIterations`, 20).
    pub max_iterations: usize,
    /// Convergence threshold per node (`tolerance`, 1e-7): iteration stops once the L1
    /// change of the score vector is below `n * tolerance`.
    pub tolerance: f64,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions {
            orientation: Orientation::Natural,
            damping_factor: 0.85,
            max_iterations: 20,
            tolerance: 1e-7,
        }
    }
}

/// The scores of [`pagerank`] and how the iteration ended.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRankResult<N> {
    /// One score per node; they sum to 1.
    pub scores: NodeValues<N, f64>,
    /// How many iterations ran.
    pub iterations: usize,
    /// Whether the change fell below `n * tolerance` within `max_iterations`.
    pub converged: bool,
}

/// PageRank, following networkx's `pagerank` (its scipy power iteration): start from the
/// uniform vector and repeat
/// `x' = d * (x A + (Σ dangling x) / n) + (1 - d) / n`,
/// where `A[u][v]` is the total weight of the relationships `u -> v` (parallel ones add)
/// divided by `u`'s total outgoing weight, and a dangling node is one whose outgoing weight
/// is 0 (its mass is spread evenly). Iteration stops once `Σ |x' - x| < n * tolerance` or
/// after `max_iterations`; unlike networkx, which raises when it has not converged, the
/// last vector is returned with `converged: false`.
///
/// An undirected graph (or `Orientation::Undirected`) counts each relationship both ways
/// and a self-loop once, as networkx's adjacency matrix does.
///
/// Errors: `dampingFactor` outside `[0, 1)`, `maxIterations` 0, `tolerance` negative or
/// not finite, a negative or non-finite weight, [`AlgoError::Interrupted`].
pub fn pagerank<G: AlgoGraph>(
    g: G,
    opts: &PageRankOptions,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<PageRankResult<G::NodeId>, AlgoError> {
    let alpha = opts.damping_factor;
    if !(0.0..1.0).contains(&alpha) {
        return Err(AlgoError::OutOfRange {
            parameter: "dampingFactor",
            expected: "in [0, 1)",
            value: alpha,
        });
    }
    if opts.max_iterations == 0 {
        return Err(AlgoError::OutOfRange {
            parameter: "maxIterations",
            expected: "at least 1",
            value: 0.0,
        });
    }
    if !(opts.tolerance >= 0.0 && opts.tolerance.is_finite()) {
        return Err(AlgoError::OutOfRange {
            parameter: "tolerance",
            expected: "a finite number >= 0",
            value: opts.tolerance,
        });
    }
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    if n == 0 {
        return Ok(PageRankResult {
            scores: Vec::new(),
            iterations: 0,
            converged: true,
        });
    }
    // Pull form: row v lists each u with relationships u -> v, their weights summed.
    let dir = Dir::of(opts.orientation, g.is_directed()).flipped();
    let inc = Csr::build(
        g,
        &nodes,
        Spec::plain(dir, Loops::Once, Merge::Sum).weighted(weight, false),
        &mut ticker,
    )?;
    // A node's outgoing weight: the sum of its column; both ways, the projection is
    // symmetric and that is its own row's (read in order).
    let strength: Vec<f64> = if dir == Dir::Both {
        (0..n).map(|u| inc.weights[inc.range(u)].iter().sum()).collect()
    } else {
        let mut strength = vec![0.0f64; n];
        for (&u, &w) in inc.targets.iter().zip(&inc.weights) {
            strength[u as usize] += w;
        }
        strength
    };
    let dangling: Vec<usize> = (0..n).filter(|&u| strength[u] == 0.0).collect();
    let inverse: Vec<f64> = strength.iter().map(|&s| if s == 0.0 { 0.0 } else { 1.0 / s }).collect();
    let nf = n as f64;
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0f64; n];
    let mut share = vec![0.0f64; n];
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iterations {
        ticker.check()?;
        iterations += 1;
        for u in 0..n {
            share[u] = x[u] * inverse[u];
        }
        let dangling_mass: f64 = dangling.iter().map(|&u| x[u]).sum();
        let base = alpha * dangling_mass / nf + (1.0 - alpha) / nf;
        let mut change = 0.0;
        for v in 0..n {
            let range = inc.range(v);
            let mut acc = 0.0;
            for (&u, &w) in inc.targets[range.clone()].iter().zip(&inc.weights[range]) {
                acc += share[u as usize] * w;
            }
            let value = alpha * acc + base;
            change += (value - x[v]).abs();
            next[v] = value;
        }
        std::mem::swap(&mut x, &mut next);
        if change < nf * opts.tolerance {
            converged = true;
            break;
        }
    }
    Ok(PageRankResult {
        scores: nodes.zip(x),
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeReference, UnGraph};

    fn scores(r: &PageRankResult<petgraph::graph::NodeIndex>) -> Vec<f64> {
        r.scores.iter().map(|&(_, s)| s).collect()
    }

    #[test]
    fn a_directed_cycle_is_uniform() {
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 0)]);
        let r = pagerank(&g, &PageRankOptions::default(), None, &never).unwrap();
        assert!(r.converged);
        for s in scores(&r) {
            assert!((s - 1.0 / 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn two_nodes_with_a_dangling_end() {
        // 0 -> 1, 1 dangling. The fixed point has x0 = (1-d)/2 + d*x1/2 and x0 + x1 = 1,
        // so x1 = ((1+d)/2) / (1 + d/2).
        let g = DiGraph::<(), ()>::from_edges([(0, 1)]);
        let opts = PageRankOptions {
            tolerance: 1e-15,
            max_iterations: 200,
            ..Default::default()
        };
        let r = pagerank(&g, &opts, None, &never).unwrap();
        let d = 0.85;
        let x1 = ((1.0 + d) / 2.0) / (1.0 + d / 2.0);
        let s = scores(&r);
        assert!((s[1] - x1).abs() < 1e-12, "{s:?}");
        assert!((s[0] + s[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn weights_and_parallel_relationships_add() {
        // 0 -> 1 twice (weights 1 + 2) and 0 -> 2 (weight 3): both shares equal.
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (0, 1, 2.0), (0, 2, 3.0)]);
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        let r = pagerank(&g, &PageRankOptions::default(), Some(&w), &never).unwrap();
        let s = scores(&r);
        assert!((s[1] - s[2]).abs() < 1e-12);
        assert!(s[1] > s[0]);
    }

    #[test]
    fn reverse_orientation_is_the_reversed_graph() {
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (0, 2), (1, 2), (3, 2)]);
        let r = DiGraph::<(), ()>::from_edges([(1, 0), (2, 0), (2, 1), (2, 3)]);
        let opts = PageRankOptions {
            orientation: Orientation::Reverse,
            ..Default::default()
        };
        let a = pagerank(&g, &opts, None, &never).unwrap();
        let b = pagerank(&r, &PageRankOptions::default(), None, &never).unwrap();
        assert_eq!(scores(&a), scores(&b));
    }

    #[test]
    fn undirected_star() {
        let g = UnGraph::<(), ()>::from_edges([(0, 1), (0, 2), (0, 3)]);
        let opts = PageRankOptions {
            tolerance: 1e-14,
            max_iterations: 500,
            ..Default::default()
        };
        let s = scores(&pagerank(&g, &opts, None, &never).unwrap());
        // Centre c, leaves l: c = 0.15/4 + 0.85 * 3l, l = 0.15/4 + 0.85 * c/3, c + 3l = 1.
        let l = (0.15 / 4.0 + 0.85 / 3.0) / (1.0 + 0.85);
        assert!((s[1] - l).abs() < 1e-10, "{s:?}");
        assert!((s[0] - (1.0 - 3.0 * l)).abs() < 1e-10);
    }

    #[test]
    fn iteration_limit_is_reported() {
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 0), (0, 2)]);
        let opts = PageRankOptions {
            max_iterations: 2,
            tolerance: 0.0,
            ..Default::default()
        };
        let r = pagerank(&g, &opts, None, &never).unwrap();
        assert_eq!((r.iterations, r.converged), (2, false));
        assert!((scores(&r).iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn parameters_are_checked() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, -1.0)]);
        let bad = |o: PageRankOptions| pagerank(&g, &o, None, &never).unwrap_err();
        let d = PageRankOptions::default();
        assert!(matches!(
            bad(PageRankOptions {
                damping_factor: 1.0,
                ..d
            }),
            AlgoError::OutOfRange {
                parameter: "dampingFactor",
                ..
            }
        ));
        assert!(matches!(
            bad(PageRankOptions { max_iterations: 0, ..d }),
            AlgoError::OutOfRange {
                parameter: "maxIterations",
                ..
            }
        ));
        assert!(matches!(
            bad(PageRankOptions {
                tolerance: f64::NAN,
                ..d
            }),
            AlgoError::OutOfRange {
                parameter: "tolerance",
                ..
            }
        ));
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        let e = pagerank(&g, &d, Some(&w), &never).unwrap_err();
        assert_eq!(
            e,
            AlgoError::NegativeWeight {
                parameter: "weightProperty",
                value: -1.0
            }
        );
        let stop = || true;
        assert_eq!(pagerank(&g, &d, None, &stop).unwrap_err(), AlgoError::Interrupted);
    }
}
