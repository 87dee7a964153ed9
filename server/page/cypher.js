// The query language's words, and a tokenizer for highlighting and for
// knowing what the word under the cursor is (a label, a key, a keyword).

export const KEYWORDS = [
  'MATCH', 'OPTIONAL', 'WHERE', 'RETURN', 'WITH', 'UNWIND', 'AS', 'ORDER', 'BY', 'ASC', 'ASCENDING', 'DESC',
  'DESCENDING', 'SKIP', 'LIMIT', 'DISTINCT', 'CREATE', 'MERGE', 'ON', 'SET', 'DELETE', 'DETACH', 'REMOVE',
  'CALL', 'YIELD', 'UNION', 'ALL', 'AND', 'OR', 'XOR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE', 'STARTS',
  'ENDS', 'CONTAINS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'EXISTS', 'COUNT', 'EXPLAIN', 'PROFILE', 'LOAD',
  'CSV', 'HEADERS', 'FROM', 'FIELDTERMINATOR', 'FOREACH', 'SHOW', 'PROCEDURES', 'FUNCTIONS', 'ANY', 'NONE',
  'SINGLE', 'SHORTEST', 'OF', 'TRANSACTIONS', 'ROWS', 'COLLECT',
];

export const FUNCTIONS = [
  'abs', 'avg', 'ceil', 'coalesce', 'collect', 'count', 'date', 'datetime', 'duration', 'elementId', 'endNode',
  'exists', 'floor', 'head', 'id', 'isEmpty', 'keys', 'labels', 'last', 'left', 'length', 'localdatetime',
  'localtime', 'lower', 'ltrim', 'max', 'min', 'nodes', 'percentileCont', 'percentileDisc', 'properties', 'rand',
  'range', 'reduce', 'relationships', 'replace', 'reverse', 'right', 'round', 'rtrim', 'shortestPath',
  'allShortestPaths', 'sign', 'size', 'split', 'sqrt', 'startNode', 'stDev', 'stDevP', 'substring', 'sum',
  'tail', 'time', 'toBoolean', 'toFloat', 'toInteger', 'toLower', 'toString', 'toUpper', 'trim', 'type', 'upper',
];

const KEYWORD_SET = new Set(KEYWORDS);
const FUNCTION_SET = new Set(FUNCTIONS.map((f) => f.toLowerCase()));

// Tokens: {type, text, start, end}; type is one of kw, fn, str, num, com,
// label (after ':' in a pattern), key (after '.'), param, var, punct, space.
export function tokenize(text) {
  const out = [];
  let i = 0;
  let braces = 0; // inside a map, ':' comes before a value, not a label
  const push = (type, start) => out.push({ type, text: text.slice(start, i), start, end: i });
  const prevSignificant = () => {
    for (let k = out.length - 1; k >= 0; k--) if (out[k].type !== 'space' && out[k].type !== 'com') return out[k];
    return null;
  };
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i])) i++;
      push('space', start);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      push('com', start);
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      push('com', start);
    } else if (c === "'" || c === '"') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, text.length);
      push('str', start);
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      i = close < 0 ? text.length : close + 1;
      push(nameType(prevSignificant(), braces), start);
    } else if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9A-Za-z_.]/.test(text[i])) {
        if (text[i] === '.' && !/[0-9]/.test(text[i + 1] || '')) break;
        i++;
      }
      push('num', start);
    } else if (c === '$') {
      i++;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      push('param', start);
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      const word = text.slice(start, i);
      const prev = prevSignificant();
      let type = nameType(prev, braces);
      if (type === 'var') {
        if (KEYWORD_SET.has(word.toUpperCase())) type = 'kw';
        else if (FUNCTION_SET.has(word.toLowerCase()) && /^\s*\(/.test(text.slice(i))) type = 'fn';
      }
      push(type, start);
    } else {
      i++;
      if (c === '{') braces++;
      if (c === '}') braces = Math.max(0, braces - 1);
      push('punct', start);
    }
  }
  return out;
}

// A name right after ':' is a label or type (inside a pattern, or after a
// variable in a WHERE such as `n:Person`), after '.' a property key.
function nameType(prev, braces) {
  if (prev && prev.type === 'punct' && prev.text === ':') return braces > 0 ? 'var' : 'label';
  if (prev && prev.type === 'punct' && prev.text === '.') return 'key';
  return 'var';
}

// Whether ':' at this point of a query starts a relationship type (inside
// `[...]`) rather than a label: counts the brackets before it.
export function inRelationship(text, offset) {
  let depth = 0;
  for (const t of tokenize(text.slice(0, offset))) {
    if (t.type !== 'punct') continue;
    if (t.text === '[') depth++;
    if (t.text === ']') depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}
