// Typed JSON values ({"$type": T, "_value": V}) decoded into plain objects,
// written as text, and the nodes and relationships a result mentions.

// A decoded value: null, boolean, number (an integer), bigint (integers
// beyond 2^53), string, array, or one of
//   {kind: 'float', value}
//   {kind: 'node', id, labels, props}
//   {kind: 'rel', id, type, start, end, props}
//   {kind: 'path', items: [node, rel, node, ...]}
//   {kind: 'temporal', type, text}
//   {kind: 'map', entries: {key: value}}
export function decode(t) {
  if (t === null || typeof t !== 'object' || !('$type' in t)) return t;
  const v = t._value;
  switch (t.$type) {
    case 'Null': return null;
    case 'Boolean': return v;
    case 'Integer': {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : BigInt(v);
    }
    case 'Float': return { kind: 'float', value: Number(v) };
    case 'String': return v;
    case 'List': return v.map(decode);
    case 'Map': return { kind: 'map', entries: decodeProps(v) };
    case 'Node': return { kind: 'node', id: v._element_id, labels: v._labels || [], props: decodeProps(v._properties) };
    case 'Relationship': return {
      kind: 'rel', id: v._element_id, type: v._type, start: v._start_node_element_id,
      end: v._end_node_element_id, props: decodeProps(v._properties),
    };
    case 'Path': return { kind: 'path', items: v.map(decode) };
    default: return { kind: 'temporal', type: t.$type, text: String(v) };
  }
}

function decodeProps(p) {
  const out = {};
  for (const [k, v] of Object.entries(p || {})) out[k] = decode(v);
  return out;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const quoteName = (n) => (IDENT.test(n) ? n : '`' + n.replaceAll('`', '``') + '`');
const quoteString = (s) => "'" + s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n') + "'";

function propsText(props) {
  const parts = Object.entries(props).map(([k, v]) => `${quoteName(k)}: ${literal(v)}`);
  return parts.length ? ` {${parts.join(', ')}}` : '';
}

// A value as query-language text: strings quoted (inside lists, maps, entities).
export function literal(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(literal).join(', ') + ']';
  switch (v.kind) {
    case 'node': return `(${v.labels.map((l) => ':' + quoteName(l)).join('')}${propsText(v.props)})`;
    case 'rel': return `[:${quoteName(v.type || '?')}${propsText(v.props)}]`;
    case 'path': return v.items.map((x, i) => {
      if (x.kind === 'node') return literal(x);
      const prev = v.items[i - 1];
      const forward = !prev || x.start === prev.id;
      return forward ? `-${literal(x)}->` : `<-${literal(x)}-`;
    }).join('');
    case 'float': return floatText(v.value);
    case 'temporal': return v.text;
    case 'map': return '{' + Object.entries(v.entries).map(([k, e]) => `${quoteName(k)}: ${literal(e)}`).join(', ') + '}';
    default: return String(v);
  }
}

function floatText(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const s = String(v);
  return /[.eE]/.test(s) ? s : s + '.0';
}

// A value as a table cell shows it: a top-level string as it is.
export function cellText(v) {
  return typeof v === 'string' ? v : literal(v);
}

// The nodes and relationships a result mentions, in the order met, each
// once: {nodes: Map(id -> node), rels: Map(id -> rel)}.
export function collectGraph(rows) {
  const nodes = new Map();
  const rels = new Map();
  const visit = (v) => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { v.forEach(visit); return; }
    switch (v.kind) {
      case 'node': if (!nodes.has(v.id)) nodes.set(v.id, v); break;
      case 'rel': if (!rels.has(v.id)) rels.set(v.id, v); break;
      case 'path': v.items.forEach(visit); break;
      case 'map': Object.values(v.entries).forEach(visit); break;
      default: break;
    }
  };
  rows.forEach((row) => row.forEach(visit));
  return { nodes, rels };
}

// What a node is called in a picture: `name`, else `title`, else its first
// string property, else its first label and id.
export function caption(node) {
  for (const key of ['name', 'title', 'caption']) {
    if (typeof node.props[key] === 'string' && node.props[key]) return node.props[key];
  }
  for (const v of Object.values(node.props)) {
    if (typeof v === 'string' && v) return v;
  }
  for (const v of Object.values(node.props)) {
    if (typeof v === 'number' || typeof v === 'bigint' || v?.kind === 'float') return literal(v);
  }
  return `${node.labels[0] || 'node'} ${node.id}`;
}
