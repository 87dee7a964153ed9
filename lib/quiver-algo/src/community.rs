//! Communities: Louvain modularity optimisation, modularity of a partition, label propagation.

use std::collections::HashMap;

use petgraph::unionfind::UnionFind;

use crate::csr::{dense_labels, Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::error::check_weight;
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, SplitMix64, Weight};

/// The most passes over the nodes one Louvain level makes: a guard against rounding cycles
/// (networkx has none); real graphs settle in far fewer.
const MAX_PASSES: usize = 1000;

/// One level of the Louvain hierarchy (level 0 is the graph itself): the symmetric
/// adjacency between distinct nodes (for a directed graph `w(u -> v) + w(v -> u)`), each
/// node's self-loop weight (counted once) and its outgoing and incoming strength (on an
/// undirected graph both are the degree, a self-loop counting twice).
struct Level {
    adj: Csr,
    self_weight: Vec<f64>,
    out: Vec<f64>,
    inc: Vec<f64>,
}

/// The quantities modularity needs besides the level: whether it is the directed kind and
/// the total relationship weight `m`.
#[derive(Clone, Copy)]
struct Modularity {
    directed: bool,
    m: f64,
    resolution: f64,
}

impl Modularity {
    /// networkx's `community.modularity`: `Σ_c L_c / m - γ K_out(c) K_in(c) / norm`, with
    /// `L_c` the weight of relationships inside `c`, `norm = m²` (directed) or `(2m)²`
    /// (undirected, `K_out = K_in` = total degree). An edgeless graph has modularity 0.
    fn of(&self, level: &Level, community: &[u32]) -> f64 {
        if self.m == 0.0 {
            return 0.0;
        }
        let n = community.len();
        let mut internal = vec![0.0f64; n];
        let mut out = vec![0.0f64; n];
        let mut inc = vec![0.0f64; n];
        for u in 0..n {
            let c = community[u] as usize;
            internal[c] += level.self_weight[u];
            let range = level.adj.range(u);
            for (&v, &w) in level.adj.targets[range.clone()].iter().zip(&level.adj.weights[range]) {
                if community[v as usize] as usize == c {
                    // Each inside pair is seen from both ends.
                    internal[c] += w / 2.0;
                }
            }
            out[c] += level.out[u];
            inc[c] += level.inc[u];
        }
        let norm = if self.directed {
            self.m * self.m
        } else {
            4.0 * self.m * self.m
        };
        (0..n)
            .map(|c| internal[c] / self.m - self.resolution * out[c] * inc[c] / norm)
            .sum()
    }
}

/// Level 0: the projection and strengths of `g`.
fn level_zero<G: AlgoGraph>(
    g: G,
    nodes: &Nodes<G::NodeId>,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    ticker: &mut Ticker<'_>,
) -> Result<(Level, bool, f64), AlgoError> {
    let n = nodes.len();
    let dir = Dir::of(orientation, g.is_directed());
    let directed = dir != Dir::Both;
    let adj = Csr::build(
        g,
        nodes,
        Spec::plain(Dir::Both, Loops::Drop, Merge::Sum).weighted(weight, false),
        ticker,
    )?;
    let mut level = Level {
        adj,
        self_weight: vec![0.0; n],
        out: vec![0.0; n],
        inc: vec![0.0; n],
    };
    let mut m = 0.0;
    for e in g.edge_references() {
        ticker.tick()?;
        let Some((mut s, mut t)) = nodes.ends(g, &e) else {
            continue;
        };
        if dir == Dir::In {
            std::mem::swap(&mut s, &mut t);
        }
        let w = match weight {
            Some(f) => check_weight(f(e), false)?,
            None => 1.0,
        };
        m += w;
        if s == t {
            level.self_weight[s as usize] += w;
        }
        level.out[s as usize] += w;
        if directed {
            level.inc[t as usize] += w;
        } else {
            level.out[t as usize] += w;
        }
    }
    if !directed {
        level.inc = level.out.clone();
    }
    Ok((level, directed, m))
}

/// The next level: one node per community (`community` dense `0..c`).
fn aggregate(level: &Level, community: &[u32], count: usize) -> Level {
    let mut next = Level {
        adj: Csr::default(),
        self_weight: vec![0.0; count],
        out: vec![0.0; count],
        inc: vec![0.0; count],
    };
    let mut offsets = vec![0usize; count + 1];
    for (u, &c) in community.iter().enumerate() {
        let c = c as usize;
        next.self_weight[c] += level.self_weight[u];
        next.out[c] += level.out[u];
        next.inc[c] += level.inc[u];
        let range = level.adj.range(u);
        for (&v, &w) in level.adj.targets[range.clone()].iter().zip(&level.adj.weights[range]) {
            if community[v as usize] as usize == c {
                next.self_weight[c] += w / 2.0;
            } else {
                offsets[c + 1] += 1;
            }
        }
    }
    for c in 0..count {
        offsets[c + 1] += offsets[c];
    }
    let mut targets = vec![0u32; offsets[count]];
    let mut weights = vec![0.0f64; offsets[count]];
    let mut cursor = offsets[..count].to_vec();
    for (u, &c) in community.iter().enumerate() {
        let range = level.adj.range(u);
        for (&v, &w) in level.adj.targets[range.clone()].iter().zip(&level.adj.weights[range]) {
            let d = community[v as usize];
            if d != c {
                let at = cursor[c as usize];
                cursor[c as usize] += 1;
                targets[at] = d;
                weights[at] = w;
            }
        }
    }
    next.adj = Csr {
        offsets,
        targets,
        weights,
        edges: Vec::new(),
    };
    next.adj.merge(Merge::Sum);
    next
}

/// Louvain's local moving phase, as networkx's `_one_level`: nodes in one random order,
/// passes until none moves; each node goes to the neighbouring community with the largest
/// strictly positive modularity gain. Returns each node's community (a node index) and
/// whether any node moved.
fn one_level(
    level: &Level,
    q: Modularity,
    rng: &mut SplitMix64,
    ticker: &mut Ticker<'_>,
) -> Result<(Vec<u32>, bool), AlgoError> {
    let n = level.out.len();
    let (m, gamma) = (q.m, q.resolution);
    let mut community: Vec<u32> = (0..n as u32).collect();
    let mut total_out = level.out.clone();
    let mut total_in = level.inc.clone();
    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);
    let mut to_community = vec![0.0f64; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut improved = false;
    for _ in 0..MAX_PASSES {
        ticker.check()?;
        let mut moves = 0;
        for &u in &order {
            ticker.tick()?;
            let u = u as usize;
            let own = community[u] as usize;
            let range = level.adj.range(u);
            for (&v, &w) in level.adj.targets[range.clone()].iter().zip(&level.adj.weights[range]) {
                let c = community[v as usize];
                if !seen[c as usize] {
                    seen[c as usize] = true;
                    touched.push(c);
                }
                to_community[c as usize] += w;
            }
            let (k_out, k_in) = (level.out[u], level.inc[u]);
            total_out[own] -= k_out;
            total_in[own] -= k_in;
            // The loss from leaving `own` and the cost of joining `c`, in networkx's form.
            let cost = |c: usize| {
                if q.directed {
                    gamma * (k_out * total_in[c] + k_in * total_out[c]) / (m * m)
                } else {
                    gamma * (total_out[c] * k_out) / (2.0 * m * m)
                }
            };
            let remove = -to_community[own] / m + cost(own);
            let mut best = own;
            let mut best_gain = 0.0;
            for &c in &touched {
                let c = c as usize;
                let gain = remove + to_community[c] / m - cost(c);
                if gain > best_gain {
                    best_gain = gain;
                    best = c;
                }
            }
            total_out[best] += k_out;
            total_in[best] += k_in;
            if best != own {
                community[u] = best as u32;
                moves += 1;
                improved = true;
            }
            for &c in &touched {
                to_community[c as usize] = 0.0;
                seen[c as usize] = false;
            }
            touched.clear();
        }
        if moves == 0 {
            break;
        }
    }
    Ok((community, improved))
}

/// Parameters of [`louvain`]; the defaults are the procedure's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LouvainOptions {
    /// `orientation` (default `NATURAL`): on a directed graph `Natural` and `Reverse`
    /// optimise directed modularity, `Undirected` the undirected one.
    pub orientation: Orientation,
    /// The resolution `γ` of modularity (`resolution`, 1.0): larger favours smaller communities.
    pub resolution: f64,
    /// Seed of the node orders (`seed`, 0).
    pub seed: u64,
    /// A level is kept only if it raises modularity by more than this (`tolerance`, 1e-7,
    /// networkx's `threshold`).
    pub tolerance: f64,
    /// The most levels (`maxLevels`, default unbounded; networkx's `max_level`).
    pub max_levels: Option<usize>,
}

impl Default for LouvainOptions {
    fn default() -> Self {
        LouvainOptions {
            orientation: Orientation::Natural,
            resolution: 1.0,
            seed: 0,
            tolerance: 1e-7,
            max_levels: None,
        }
    }
}

/// The communities [`louvain`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct LouvainResult<N> {
    /// Each node's community, numbered `0..c` in order of first appearance.
    pub communities: NodeValues<N, u64>,
    /// The modularity of that partition (as [`modularity`] defines it, with the same resolution).
    pub modularity: f64,
    /// How many levels were made.
    pub levels: usize,
}

fn check_resolution(resolution: f64) -> Result<(), AlgoError> {
    if resolution.is_finite() && resolution >= 0.0 {
        Ok(())
    } else {
        Err(AlgoError::OutOfRange {
            parameter: "resolution",
            expected: "a finite number >= 0",
            value: resolution,
        })
    }
}

/// Louvain community detection (Blondel et al. 2008), as networkx's `louvain_communities`
/// runs it: start from singletons; move nodes, in a seeded random order, to the
/// neighbouring community of largest positive modularity gain until none moves; then merge
/// each community into one node and repeat, while a level raises modularity by more than
/// `tolerance`. Directed graphs use directed modularity (Dugué & Perez 2015), as networkx
/// does. Parallel relationships each count (weights add); self-loops count in strengths and
/// as inside weight, as in networkx. The node orders come from [`SplitMix64`] seeded with
/// `seed`, so a seed fixes the result (networkx's own random orders differ, so its partition
/// does too; its modularity is comparable).
///
/// Errors: `resolution` negative or not finite, `tolerance` negative or not finite,
/// `maxLevels` 0, a negative or non-finite weight, [`AlgoError::Interrupted`].
pub fn louvain<G: AlgoGraph>(
    g: G,
    opts: &LouvainOptions,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<LouvainResult<G::NodeId>, AlgoError> {
    check_resolution(opts.resolution)?;
    if !(opts.tolerance.is_finite() && opts.tolerance >= 0.0) {
        return Err(AlgoError::OutOfRange {
            parameter: "tolerance",
            expected: "a finite number >= 0",
            value: opts.tolerance,
        });
    }
    if opts.max_levels == Some(0) {
        return Err(AlgoError::OutOfRange {
            parameter: "maxLevels",
            expected: "at least 1",
            value: 0.0,
        });
    }
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let (mut level, directed, m) = level_zero(g, &nodes, opts.orientation, weight, &mut ticker)?;
    let q = Modularity {
        directed,
        m,
        resolution: opts.resolution,
    };
    let mut assign: Vec<u32> = (0..n as u32).collect();
    if m == 0.0 {
        return Ok(LouvainResult {
            communities: nodes.zip(dense_labels(&assign)),
            modularity: 0.0,
            levels: 0,
        });
    }
    let mut rng = SplitMix64::new(opts.seed);
    let mut modularity = q.of(&level, &assign);
    let (mut community, _) = one_level(&level, q, &mut rng, &mut ticker)?;
    let mut levels = 1;
    loop {
        ticker.check()?;
        let new_modularity = q.of(&level, &community);
        let last = new_modularity - modularity <= opts.tolerance || opts.max_levels == Some(levels);
        modularity = new_modularity;
        let dense = dense_labels(&community);
        let count = dense.iter().max().map_or(0, |&c| c as usize + 1);
        let dense: Vec<u32> = dense.into_iter().map(|c| c as u32).collect();
        for a in assign.iter_mut() {
            *a = dense[*a as usize];
        }
        if last {
            break;
        }
        level = aggregate(&level, &dense, count);
        let (next, improved) = one_level(&level, q, &mut rng, &mut ticker)?;
        if !improved {
            break;
        }
        community = next;
        levels += 1;
    }
    Ok(LouvainResult {
        communities: nodes.zip(dense_labels(&assign)),
        modularity,
        levels,
    })
}

/// The modularity of a partition, as networkx's `community.modularity` defines it:
/// `Q = Σ_c [ L_c / m - γ K_out(c) K_in(c) / m² ]` on a directed graph (`Natural` or
/// `Reverse`), where `L_c` is the weight of relationships with both ends in `c`, `m` the total
/// weight and `K_out`, `K_in` the communities' outgoing and incoming strengths; undirected,
/// `K_out = K_in = K(c)` (a self-loop adds twice its weight) and the denominator is `(2m)²`.
/// Parallel relationships each count. `community(node)` names each node's community (any
/// `u64`s). An edgeless graph has modularity 0 (networkx divides by zero).
///
/// Errors: `resolution` negative or not finite, a negative or non-finite weight,
/// [`AlgoError::Interrupted`].
pub fn modularity<G: AlgoGraph>(
    g: G,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    resolution: f64,
    community: &dyn Fn(G::NodeId) -> u64,
    interrupt: Interrupt<'_>,
) -> Result<f64, AlgoError> {
    check_resolution(resolution)?;
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let (level, directed, m) = level_zero(g, &nodes, orientation, weight, &mut ticker)?;
    let mut names: HashMap<u64, u32> = HashMap::new();
    let labels: Vec<u32> = nodes
        .ids
        .iter()
        .map(|&id| {
            let next = names.len() as u32;
            *names.entry(community(id)).or_insert(next)
        })
        .collect();
    Ok(Modularity {
        directed,
        m,
        resolution,
    }
    .of(&level, &labels))
}

/// Parameters of [`label_propagation`]; the defaults are the procedure's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelPropagationOptions {
    /// Whose labels a node hears (`orientation`, default `NATURAL`: the targets of its
    /// outgoing relationships; `REVERSE`: the sources of its incoming ones; `UNDIRECTED`: both).
    pub orientation: Orientation,
    /// The most passes over the nodes (`maxIterations`, 10).
    pub max_iterations: usize,
    /// Seed of the node orders and tie breaks (`seed`, 0).
    pub seed: u64,
}

impl Default for LabelPropagationOptions {
    fn default() -> Self {
        LabelPropagationOptions {
            orientation: Orientation::Natural,
            max_iterations: 10,
            seed: 0,
        }
    }
}

/// The communities [`label_propagation`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelPropagationResult<N> {
    /// Each node's community, numbered `0..c` in order of first appearance; every community
    /// is connected.
    pub communities: NodeValues<N, u64>,
    /// How many passes ran.
    pub iterations: usize,
    /// Whether the last pass changed no label.
    pub converged: bool,
}

/// Asynchronous label propagation (Raghavan, Albert & Kumara 2007), as networkx's
/// `asyn_lpa_communities` runs it: every node starts with its own label; each pass visits
/// the nodes in a fresh seeded random order, and a node with neighbours takes the label of
/// largest total weight among them (each relationship counts its weight, 1 unweighted; a
/// self-loop counts once for the node's own label), keeping its label when that is among the
/// best and otherwise picking one of the best at random. Passes stop when one changes no
/// label, or after `max_iterations`.
///
/// A label's nodes need not be connected when propagation ends, so each label is finally
/// split into its connected parts (relationships between equally labelled nodes, either
/// way): every community returned is connected. Randomness comes from [`SplitMix64`] seeded
/// with `seed`: a seed fixes the result.
///
/// Errors: `maxIterations` 0, a negative or non-finite weight, [`AlgoError::Interrupted`].
pub fn label_propagation<G: AlgoGraph>(
    g: G,
    opts: &LabelPropagationOptions,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<LabelPropagationResult<G::NodeId>, AlgoError> {
    if opts.max_iterations == 0 {
        return Err(AlgoError::OutOfRange {
            parameter: "maxIterations",
            expected: "at least 1",
            value: 0.0,
        });
    }
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let dir = Dir::of(opts.orientation, g.is_directed());
    let csr = Csr::build(
        g,
        &nodes,
        Spec::plain(dir, Loops::Once, Merge::Sum).weighted(weight, false),
        &mut ticker,
    )?;
    let mut labels: Vec<u32> = (0..n as u32).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut rng = SplitMix64::new(opts.seed);
    let mut frequency = vec![0.0f64; n];
    let mut seen = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut best: Vec<u32> = Vec::new();
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iterations {
        ticker.check()?;
        iterations += 1;
        rng.shuffle(&mut order);
        let mut changed = false;
        for &u in &order {
            ticker.tick()?;
            let u = u as usize;
            let range = csr.range(u);
            if range.is_empty() {
                continue;
            }
            for (&v, &w) in csr.targets[range.clone()].iter().zip(&csr.weights[range]) {
                let l = labels[v as usize];
                if !seen[l as usize] {
                    seen[l as usize] = true;
                    touched.push(l);
                }
                frequency[l as usize] += w;
            }
            let top = touched
                .iter()
                .map(|&l| frequency[l as usize])
                .fold(f64::NEG_INFINITY, f64::max);
            best.clear();
            best.extend(touched.iter().copied().filter(|&l| frequency[l as usize] == top));
            if !best.contains(&labels[u]) {
                labels[u] = best[rng.below(best.len())];
                changed = true;
            }
            for &l in &touched {
                frequency[l as usize] = 0.0;
                seen[l as usize] = false;
            }
            touched.clear();
        }
        if !changed {
            converged = true;
            break;
        }
    }
    let mut parts = UnionFind::<u32>::new(n);
    for u in 0..n {
        for &v in csr.neighbors(u) {
            if labels[v as usize] == labels[u] {
                parts.union(u as u32, v);
            }
        }
    }
    let roots: Vec<u32> = (0..n as u32).map(|v| parts.find_mut(v)).collect();
    Ok(LabelPropagationResult {
        communities: nodes.zip(dense_labels(&roots)),
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeReference, NodeIndex, UnGraph};

    fn ids(v: &NodeValues<NodeIndex, u64>) -> Vec<u64> {
        v.iter().map(|&(_, c)| c).collect()
    }

    /// Two 4-cliques joined by one relationship.
    fn two_cliques() -> UnGraph<(), f64> {
        let mut edges = Vec::new();
        for base in [0u32, 4] {
            for i in 0..4 {
                for j in i + 1..4 {
                    edges.push((base + i, base + j, 1.0));
                }
            }
        }
        edges.push((3, 4, 1.0));
        UnGraph::from_edges(edges)
    }

    #[test]
    fn modularity_by_hand() {
        // networkx: modularity(barbell-like two triangles 0-1-2, 3-4-5 joined by 2-3,
        // [{0,1,2},{3,4,5}]) = 2 * (3/7 - (7/14)^2) = 5/14.
        let g = UnGraph::<(), f64>::from_edges([
            (0, 1, 1.),
            (1, 2, 1.),
            (0, 2, 1.),
            (3, 4, 1.),
            (4, 5, 1.),
            (3, 5, 1.),
            (2, 3, 1.),
        ]);
        let q = modularity(&g, Orientation::Natural, None, 1.0, &|n| (n.index() / 3) as u64, &never).unwrap();
        assert!((q - 5.0 / 14.0).abs() < 1e-12, "{q}");
        let one = modularity(&g, Orientation::Natural, None, 1.0, &|_| 7, &never).unwrap();
        assert!(one.abs() < 1e-12);
        // Directed: 0 -> 1 -> 0 and 2 -> 3, partition {0,1},{2,3}: L/m = 1, K_out*K_in/m^2 = (2*2 + 1*1)/9.
        let d = DiGraph::<(), f64>::from_edges([(0, 1, 1.), (1, 0, 1.), (2, 3, 1.)]);
        let q = modularity(&d, Orientation::Natural, None, 1.0, &|n| (n.index() / 2) as u64, &never).unwrap();
        assert!((q - (1.0 - 5.0 / 9.0)).abs() < 1e-12, "{q}");
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        let loops = UnGraph::<(), f64>::from_edges([(0, 0, 2.0), (0, 1, 1.0)]);
        // m = 3, L = 2, K = 2*2 + 1 + 1 = 6: Q = 2/3 - 36/36 for one community... with {0},{1}:
        // L_0 = 2, K_0 = 5, K_1 = 1: 2/3 - (25 + 1)/36.
        let q = modularity(
            &loops,
            Orientation::Natural,
            Some(&w),
            1.0,
            &|n| n.index() as u64,
            &never,
        )
        .unwrap();
        assert!((q - (2.0 / 3.0 - 26.0 / 36.0)).abs() < 1e-12, "{q}");
    }

    #[test]
    fn louvain_finds_two_cliques() {
        let g = two_cliques();
        let r = louvain(&g, &LouvainOptions::default(), None, &never).unwrap();
        assert_eq!(ids(&r.communities), [0, 0, 0, 0, 1, 1, 1, 1]);
        let q = modularity(&g, Orientation::Natural, None, 1.0, &|n| (n.index() / 4) as u64, &never).unwrap();
        assert!((r.modularity - q).abs() < 1e-12);
        assert_eq!(r, louvain(&g, &LouvainOptions::default(), None, &never).unwrap());
    }

    #[test]
    fn louvain_edge_cases_and_errors() {
        let mut g = UnGraph::<(), f64>::new_undirected();
        g.add_node(());
        g.add_node(());
        let r = louvain(&g, &LouvainOptions::default(), None, &never).unwrap();
        assert_eq!((ids(&r.communities), r.modularity, r.levels), (vec![0, 1], 0.0, 0));
        let bad = LouvainOptions {
            resolution: f64::NAN,
            ..Default::default()
        };
        assert!(matches!(
            louvain(&g, &bad, None, &never),
            Err(AlgoError::OutOfRange {
                parameter: "resolution",
                ..
            })
        ));
        let bad = LouvainOptions {
            max_levels: Some(0),
            ..Default::default()
        };
        assert!(matches!(
            louvain(&g, &bad, None, &never),
            Err(AlgoError::OutOfRange {
                parameter: "maxLevels",
                ..
            })
        ));
        let neg = UnGraph::<(), f64>::from_edges([(0, 1, -1.0)]);
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        assert!(matches!(
            louvain(&neg, &LouvainOptions::default(), Some(&w), &never),
            Err(AlgoError::NegativeWeight { .. })
        ));
        let stop = || true;
        assert_eq!(
            louvain(&two_cliques(), &LouvainOptions::default(), None, &stop),
            Err(AlgoError::Interrupted)
        );
    }

    #[test]
    fn label_propagation_on_two_cliques() {
        let g = two_cliques();
        for seed in 0..20 {
            let opts = LabelPropagationOptions {
                seed,
                ..Default::default()
            };
            let r = label_propagation(&g, &opts, None, &never).unwrap();
            assert!(r.converged);
            let c = ids(&r.communities);
            // Inside a clique every node ends with the same label.
            assert!(
                c[..3].iter().all(|&x| x == c[0]) && c[5..].iter().all(|&x| x == c[7]),
                "{c:?}"
            );
            assert_eq!(r, label_propagation(&g, &opts, None, &never).unwrap());
        }
    }

    #[test]
    fn label_propagation_splits_disconnected_labels_and_checks_parameters() {
        // Isolated nodes keep their own label; a directed star's centre hears nobody.
        let mut g = DiGraph::<(), f64>::from_edges([(1, 0, 1.0), (2, 0, 1.0)]);
        g.add_node(());
        let r = label_propagation(&g, &LabelPropagationOptions::default(), None, &never).unwrap();
        assert_eq!(ids(&r.communities), [0, 0, 0, 1]);
        let bad = LabelPropagationOptions {
            max_iterations: 0,
            ..Default::default()
        };
        assert!(matches!(
            label_propagation(&g, &bad, None, &never),
            Err(AlgoError::OutOfRange {
                parameter: "maxIterations",
                ..
            })
        ));
    }
}
