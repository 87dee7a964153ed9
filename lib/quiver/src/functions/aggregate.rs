//! Aggregating functions: one [`Accumulator`] per group and aggregate call.
//!
//! The executor creates an accumulator per group with [`new_accumulator`],
//! feeds it the evaluated arguments of each row with `update`, and reads
//! the result with `finish`. Nulls in the aggregated value are ignored by
//! every function; with DISTINCT, values are deduplicated with grouping
//! equality (`1` and `1.0` are the same value).

use rustc_hash::FxHashSet as HashSet;

use super::FunctionError;
use crate::error::ErrorKind;
use crate::value::order::{self, GroupKey};
use crate::value::{temporal, Value};

type Res<T> = Result<T, FunctionError>;

/// The running state of one aggregate call within one group.
pub trait Accumulator: Send {
    /// Adds one row: `args` are the evaluated arguments of the call.
    fn update(&mut self, args: &[Value]) -> Result<(), FunctionError>;
    /// The aggregate over the rows seen so far.
    fn finish(&mut self) -> Result<Value, FunctionError>;
}

/// A new accumulator for the aggregating function `name` (case-insensitive:
/// `count`, `sum`, `avg`, `min`, `max`, `collect`, `stDev`, `stDevP`,
/// `percentileCont`, `percentileDisc`); `None` if `name` is not one.
/// `count(*)` is [`count_star`].
pub fn new_accumulator(name: &str, distinct: bool) -> Option<Box<dyn Accumulator>> {
    let inner: Box<dyn Accumulator> = match name.to_ascii_lowercase().as_str() {
        "count" => Box::new(Count { n: 0 }),
        "sum" => Box::new(Sum {
            total: Total::default(),
        }),
        "avg" => Box::new(Avg {
            total: Total::default(),
            count: 0,
        }),
        "min" => Box::new(MinMax { best: None, max: false }),
        "max" => Box::new(MinMax { best: None, max: true }),
        "collect" => Box::new(Collect { items: Vec::new() }),
        "stdev" => Box::new(StDev {
            population: false,
            n: 0,
            mean: 0.0,
            m2: 0.0,
        }),
        "stdevp" => Box::new(StDev {
            population: true,
            n: 0,
            mean: 0.0,
            m2: 0.0,
        }),
        "percentilecont" => Box::new(Percentile {
            continuous: true,
            values: Vec::new(),
            percentile: None,
        }),
        "percentiledisc" => Box::new(Percentile {
            continuous: false,
            values: Vec::new(),
            percentile: None,
        }),
        _ => return None,
    };
    Some(if distinct {
        Box::new(Distinct {
            seen: HashSet::default(),
            nodes: IdSet::default(),
            rels: IdSet::default(),
            inner,
        })
    } else {
        inner
    })
}

/// `count(*)`: counts rows, whatever their values.
pub fn count_star() -> Box<dyn Accumulator> {
    Box::new(CountStar { n: 0 })
}

fn first(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Null)
}

// ---------------------------------------------------------------------------

/// Passes on only the first occurrence of each non-null value.
struct Distinct {
    seen: HashSet<GroupKey>,
    /// Nodes and relationships, by id: equal exactly when their ids are.
    nodes: IdSet,
    rels: IdSet,
    inner: Box<dyn Accumulator>,
}

impl Accumulator for Distinct {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let new = match first(args) {
            Value::Null => true,
            Value::Node(n) => self.nodes.insert(n.0),
            Value::Relationship(r) => self.rels.insert(r.0),
            v => self.seen.insert(GroupKey(v.clone())),
        };
        if !new {
            return Ok(());
        }
        self.inner.update(args)
    }

    fn finish(&mut self) -> Res<Value> {
        self.inner.finish()
    }
}

/// A set of ids: hashed while sparse, a bitmap once that is smaller.
enum IdSet {
    Hashed { set: HashSet<u64>, top: u64 },
    Bits(Vec<u64>),
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet::Hashed {
            set: HashSet::default(),
            top: 0,
        }
    }
}

impl IdSet {
    /// Adds `id`; `false` if it was there.
    fn insert(&mut self, id: u64) -> bool {
        match self {
            IdSet::Bits(bits) => {
                let (w, b) = ((id / 64) as usize, id % 64);
                if bits.len() <= w {
                    bits.resize(w + 1, 0);
                }
                let new = bits[w] >> b & 1 == 0;
                bits[w] |= 1 << b;
                new
            }
            IdSet::Hashed { set, top } => {
                let new = set.insert(id);
                *top = (*top).max(id + 1);
                // A hashed entry costs over 128 bits; a bitmap one bit per id below the top.
                if new && set.len() >= 1024 && set.len() as u64 * 128 >= *top {
                    let mut bits = vec![0u64; (*top as usize).div_ceil(64)];
                    for i in set.iter() {
                        bits[(i / 64) as usize] |= 1 << (i % 64);
                    }
                    *self = IdSet::Bits(bits);
                }
                new
            }
        }
    }
}

struct CountStar {
    n: i64,
}

impl Accumulator for CountStar {
    fn update(&mut self, _args: &[Value]) -> Res<()> {
        self.n = self.n.saturating_add(1);
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        Ok(Value::Int(self.n))
    }
}

struct Count {
    n: i64,
}

impl Accumulator for Count {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        if !first(args).is_null() {
            self.n = self.n.saturating_add(1);
        }
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        Ok(Value::Int(self.n))
    }
}

/// A running sum: integers stay exact until a float joins them; durations
/// add up separately (mixing durations and numbers is a type error).
#[derive(Default)]
enum Total {
    #[default]
    Empty,
    Int(i64),
    Float(f64),
    Duration(Value),
}

impl Total {
    fn add(&mut self, func: &str, v: &Value) -> Res<()> {
        // The common steps in place.
        match (&mut *self, v) {
            (Total::Int(a), Value::Int(b)) => {
                *a = a.checked_add(*b).ok_or_else(|| FunctionError::integer_overflow(func))?;
                return Ok(());
            }
            (Total::Float(a), Value::Float(b)) => {
                *a += b;
                return Ok(());
            }
            _ => {}
        }
        let next = match (&*self, v) {
            (_, Value::Null) => return Ok(()),
            (Total::Empty, Value::Int(i)) => Total::Int(*i),
            (Total::Empty, Value::Float(f)) => Total::Float(*f),
            (Total::Empty, Value::Duration(_)) => Total::Duration(v.clone()),
            (Total::Int(a), Value::Int(b)) => {
                Total::Int(a.checked_add(*b).ok_or_else(|| FunctionError::integer_overflow(func))?)
            }
            (Total::Int(a), Value::Float(b)) => Total::Float(*a as f64 + b),
            (Total::Float(a), Value::Int(b)) => Total::Float(a + *b as f64),
            (Total::Float(a), Value::Float(b)) => Total::Float(a + b),
            (Total::Duration(a), Value::Duration(_)) => match temporal::arithmetic('+', a, v) {
                Some(Ok(sum)) => Total::Duration(sum),
                Some(Err(e)) => {
                    return Err(FunctionError::new(
                        ErrorKind::ArgumentError,
                        "InvalidArgumentValue",
                        format!("{func}(): {e}"),
                    ))
                }
                None => return Err(FunctionError::invalid_argument_type(func, "a number or a Duration", v)),
            },
            (Total::Duration(_), _) => {
                return Err(FunctionError::invalid_argument_type(
                    func,
                    "a Duration (like the values before)",
                    v,
                ))
            }
            (Total::Int(_) | Total::Float(_), Value::Duration(_)) => {
                return Err(FunctionError::invalid_argument_type(
                    func,
                    "a number (like the values before)",
                    v,
                ))
            }
            _ => return Err(FunctionError::invalid_argument_type(func, "a number or a Duration", v)),
        };
        *self = next;
        Ok(())
    }
}

struct Sum {
    total: Total,
}

impl Accumulator for Sum {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        self.total.add("sum", first(args))
    }

    fn finish(&mut self) -> Res<Value> {
        Ok(match &self.total {
            Total::Empty => Value::Int(0),
            Total::Int(i) => Value::Int(*i),
            Total::Float(f) => Value::Float(*f),
            Total::Duration(d) => d.clone(),
        })
    }
}

struct Avg {
    total: Total,
    count: i64,
}

impl Accumulator for Avg {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let v = first(args);
        if v.is_null() {
            return Ok(());
        }
        // Integer sums may overflow where their average would not: go on in floats.
        if let (Total::Int(a), Value::Int(b)) = (&self.total, v) {
            if a.checked_add(*b).is_none() {
                self.total = Total::Float(*a as f64);
            }
        }
        self.total.add("avg", v)?;
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        let n = self.count;
        Ok(match &self.total {
            Total::Empty => Value::Null,
            Total::Int(i) => Value::Float(*i as f64 / n as f64),
            Total::Float(f) => Value::Float(f / n as f64),
            Total::Duration(d) => match temporal::arithmetic('/', d, &Value::Int(n)) {
                Some(Ok(v)) => v,
                Some(Err(e)) => {
                    return Err(FunctionError::new(
                        ErrorKind::ArgumentError,
                        "InvalidArgumentValue",
                        format!("avg(): {e}"),
                    ))
                }
                None => return Err(FunctionError::invalid_argument_type("avg", "a number or a Duration", d)),
            },
        })
    }
}

/// min and max in the ORDER BY order across types.
struct MinMax {
    best: Option<Value>,
    max: bool,
}

impl Accumulator for MinMax {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let v = first(args);
        if v.is_null() {
            return Ok(());
        }
        let better = match &self.best {
            None => true,
            Some(b) => {
                let o = order::order(v, b);
                if self.max {
                    o.is_gt()
                } else {
                    o.is_lt()
                }
            }
        };
        if better {
            self.best = Some(v.clone());
        }
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        Ok(self.best.clone().unwrap_or(Value::Null))
    }
}

struct Collect {
    items: Vec<Value>,
}

impl Accumulator for Collect {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let v = first(args);
        if !v.is_null() {
            self.items.push(v.clone());
        }
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        Ok(Value::list(self.items.clone()))
    }
}

fn as_number(func: &str, v: &Value) -> Res<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        v => Err(FunctionError::invalid_argument_type(func, "a number", v)),
    }
}

/// Standard deviation (Welford's algorithm): sample (n - 1) or population (n).
struct StDev {
    population: bool,
    n: u64,
    mean: f64,
    m2: f64,
}

impl Accumulator for StDev {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let func = if self.population { "stDevP" } else { "stDev" };
        let Some(x) = as_number(func, first(args))? else {
            return Ok(());
        };
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        let d = if self.population {
            self.n
        } else {
            self.n.saturating_sub(1)
        };
        Ok(Value::Float(if d == 0 { 0.0 } else { (self.m2 / d as f64).sqrt() }))
    }
}

/// percentileCont (interpolated, a float) and percentileDisc (the value at
/// the nearest rank, its type kept).
struct Percentile {
    continuous: bool,
    values: Vec<Value>,
    percentile: Option<f64>,
}

impl Accumulator for Percentile {
    fn update(&mut self, args: &[Value]) -> Res<()> {
        let func = if self.continuous {
            "percentileCont"
        } else {
            "percentileDisc"
        };
        let p = args.get(1).unwrap_or(&Value::Null);
        let p = match p {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Null => {
                return Err(FunctionError::number_out_of_range(
                    func,
                    "the percentile must be a number between 0.0 and 1.0, got null",
                ))
            }
            v => {
                return Err(FunctionError::invalid_argument_type(
                    func,
                    "a number as the percentile",
                    v,
                ))
            }
        };
        if !(0.0..=1.0).contains(&p) {
            return Err(FunctionError::number_out_of_range(
                func,
                format!("the percentile must be between 0.0 and 1.0, got {p}"),
            ));
        }
        self.percentile = Some(p);
        let v = first(args);
        match v {
            Value::Null => {}
            Value::Int(_) | Value::Float(_) => self.values.push(v.clone()),
            v => return Err(FunctionError::invalid_argument_type(func, "a number", v)),
        }
        Ok(())
    }

    fn finish(&mut self) -> Res<Value> {
        let (Some(p), false) = (self.percentile, self.values.is_empty()) else {
            return Ok(Value::Null);
        };
        self.values.sort_by(order::order);
        let n = self.values.len();
        let at = |i: usize| self.values.get(i.min(n - 1)).cloned().unwrap_or(Value::Null);
        let float = |v: Value| match v {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            _ => f64::NAN,
        };
        if self.continuous {
            let pos = p * (n - 1) as f64;
            let lo = pos.floor();
            let hi = pos.ceil();
            let (a, b) = (float(at(lo as usize)), float(at(hi as usize)));
            Ok(Value::Float(if lo == hi { a } else { a + (b - a) * (pos - lo) }))
        } else {
            // The nearest rank: the smallest value with at least p of the values at or below it.
            let rank = (p * n as f64).ceil() as usize;
            Ok(at(rank.saturating_sub(1)))
        }
    }
}
