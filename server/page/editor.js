// The query editor: a textarea over a highlighted copy of its text, with
// completion of keywords, functions, labels, relationship types, property
// keys and parameters; Ctrl-Enter runs, Ctrl-Up/Down walk the history.

import { tokenize, inRelationship, KEYWORDS, FUNCTIONS } from './cypher.js';
import { quoteName } from './values.js';

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

export class Editor {
  // vocabulary(): {labels, types, keys, params} (arrays of names).
  constructor({ root, onRun, vocabulary, history }) {
    this.input = root.querySelector('textarea');
    this.highlight = root.querySelector('pre');
    this.popup = root.querySelector('.completion');
    this.root = root;
    this.onRun = onRun;
    this.vocabulary = vocabulary;
    this.history = history; // {list(): [newest first]}
    this.historyIndex = -1;
    this.error = null; // {start, end} in the text
    this.items = [];
    this.active = 0;
    this.input.addEventListener('input', () => this.changed(true));
    this.input.addEventListener('scroll', () => { this.highlight.scrollTop = this.input.scrollTop; });
    this.input.addEventListener('keydown', (e) => this.key(e));
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.input.addEventListener('click', () => this.close());
    this.popup.addEventListener('mousedown', (e) => {
      const li = e.target.closest('li');
      if (li) { e.preventDefault(); this.accept(Number(li.dataset.i)); }
    });
    this.render();
  }

  get value() { return this.input.value; }

  set value(text) {
    this.input.value = text;
    this.changed(false);
    this.input.setSelectionRange(text.length, text.length);
  }

  focus() { this.input.focus(); }

  changed(typed) {
    this.error = null;
    this.render();
    if (typed) this.complete(false);
  }

  render() {
    const text = this.input.value;
    const err = this.error;
    let html = '';
    for (const t of tokenize(text)) {
      if (err && t.start < err.end && t.end > err.start) {
        // The token with the error: split so that only the spot is marked.
        const a = Math.max(t.start, err.start) - t.start;
        const b = Math.min(t.end, err.end) - t.start;
        html += span(t.type, t.text.slice(0, a)) + `<span class="tok-err">${escapeHtml(t.text.slice(a, b))}</span>` + span(t.type, t.text.slice(b));
      } else {
        html += span(t.type, t.text);
      }
    }
    if (err && err.start >= text.length) html += '<span class="tok-err"> </span>';
    // A final newline needs a line after it, as the textarea shows one.
    this.highlight.innerHTML = html + '\n ';
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(Math.max(this.input.scrollHeight, 48), window.innerHeight * 0.4) + 'px';
    this.highlight.scrollTop = this.input.scrollTop;
  }

  // Marks the spot of an error (1-based line and column, in characters).
  markError(line, column) {
    const lines = this.input.value.split('\n');
    if (!line || line > lines.length) return;
    let offset = 0;
    for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
    const chars = Array.from(lines[line - 1]);
    offset += chars.slice(0, Math.max(0, column - 1)).join('').length;
    const len = chars[column - 1] ? chars[column - 1].length : 1;
    this.error = { start: offset, end: offset + len };
    this.render();
  }

  key(e) {
    const open = !this.popup.hidden;
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      this.close();
      this.onRun(this.value);
      return;
    }
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.items.length) % this.items.length;
        this.showItems();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); this.accept(this.active); return; }
      if (e.key === 'Escape') { e.preventDefault(); this.close(); return; }
    }
    if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      if (!this.complete(true)) this.insert('  ');
      return;
    }
    if (e.key === ' ' && e.ctrlKey) { e.preventDefault(); this.complete(true); return; }
    if ((e.ctrlKey || e.metaKey) && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      const past = this.history.list();
      if (!past.length) return;
      this.historyIndex = Math.max(-1, Math.min(past.length - 1, this.historyIndex + (e.key === 'ArrowUp' ? 1 : -1)));
      this.value = this.historyIndex < 0 ? '' : past[this.historyIndex];
    }
  }

  insert(text) {
    const { selectionStart: a, selectionEnd: b, value } = this.input;
    this.input.value = value.slice(0, a) + text + value.slice(b);
    this.input.setSelectionRange(a + text.length, a + text.length);
    this.changed(false);
  }

  // What the word before the cursor is, and what may complete it.
  context() {
    const text = this.input.value;
    const at = this.input.selectionStart;
    const before = text.slice(0, at);
    const m = /(`[^`\n]*|[A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
    const prefix = m[0] || '';
    const start = at - prefix.length;
    const mark = before[start - 1];
    const v = this.vocabulary();
    let choices;
    if (mark === ':' && !/\{[^}]*$/.test(before.slice(0, start - 1))) {
      const rel = inRelationship(text, start);
      choices = rel
        ? v.types.map((n) => ({ text: n, kind: 'type' }))
        : v.labels.map((n) => ({ text: n, kind: 'label' }));
    } else if (mark === '.') {
      choices = v.keys.map((n) => ({ text: n, kind: 'key' }));
    } else if (mark === '$') {
      choices = v.params.map((n) => ({ text: n, kind: 'parameter' }));
    } else {
      choices = [
        ...KEYWORDS.map((k) => ({ text: k, kind: 'keyword' })),
        ...FUNCTIONS.map((f) => ({ text: f, kind: 'function', suffix: '(' })),
      ];
    }
    return { prefix, start, at, mark, choices };
  }

  // Opens the list of completions; `asked` (Tab, Ctrl-Space) also opens it
  // for an empty word, and takes a single match at once.
  complete(asked) {
    const c = this.context();
    const bare = c.prefix.replace(/^`/, '').toLowerCase();
    const afterMark = c.mark === ':' || c.mark === '.' || c.mark === '$';
    if (!asked && !c.prefix && !afterMark) { this.close(); return false; }
    if (!asked && !afterMark && c.prefix.length < 1) { this.close(); return false; }
    let items = c.choices.filter((x) => x.text.toLowerCase().startsWith(bare));
    if (c.mark !== ':' && c.mark !== '.' && c.mark !== '$') {
      // Keywords while typing only from two letters on, so that a variable is not pulled away.
      if (!asked && bare.length < 2) items = [];
      items = items.filter((x) => x.text.toLowerCase() !== bare || asked);
    }
    if (!items.length) { this.close(); return false; }
    this.items = items.slice(0, 50);
    this.span = c;
    this.active = 0;
    if (asked && this.items.length === 1) { this.accept(0); return true; }
    this.showItems();
    return true;
  }

  showItems() {
    this.popup.innerHTML = this.items.map((x, i) =>
      `<li data-i="${i}" class="${i === this.active ? 'active' : ''}" role="option"><span>${escapeHtml(x.text)}</span><span class="kind">${x.kind}</span></li>`).join('');
    const p = this.caretPoint();
    this.popup.style.left = p.left + 'px';
    this.popup.style.top = p.top + 'px';
    this.popup.hidden = false;
    this.popup.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }

  close() { this.popup.hidden = true; this.items = []; }

  accept(i) {
    const item = this.items[i];
    if (!item) return;
    const { start, at } = this.span;
    const name = item.kind === 'keyword' || item.kind === 'function' ? item.text : quoteName(item.text);
    const text = name + (item.suffix || '');
    const value = this.input.value;
    this.input.value = value.slice(0, start) + text + value.slice(at);
    const end = start + text.length;
    this.input.setSelectionRange(end, end);
    this.close();
    this.changed(false);
    this.input.focus();
  }

  // Where the cursor is, within the editor, for the completion list.
  caretPoint() {
    const mirror = document.createElement('pre');
    const style = getComputedStyle(this.input);
    mirror.className = 'mirror';
    Object.assign(mirror.style, {
      position: 'absolute', visibility: 'hidden', left: '0', top: '0', width: style.width,
      padding: style.padding, font: style.font, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: '0',
    });
    mirror.textContent = this.input.value.slice(0, this.input.selectionStart);
    const mark = document.createElement('span');
    mark.textContent = '\u200b';
    mirror.appendChild(mark);
    this.root.appendChild(mirror);
    const point = { left: mark.offsetLeft, top: mark.offsetTop + mark.offsetHeight + 2 - this.input.scrollTop };
    mirror.remove();
    return point;
  }
}

function span(type, text) {
  if (!text) return '';
  if (type === 'space' || type === 'punct') return escapeHtml(text);
  return `<span class="tok-${type}">${escapeHtml(text)}</span>`;
}
