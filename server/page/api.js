// The HTTP Query API, as the page uses it: the discovery document at GET /,
// and one statement at a time at POST /db/{name}/query/v2 with typed JSON
// answers (so that nodes, relationships and paths are told apart).

const CREDENTIALS = 'quiver.credentials';

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || '';
    // quiver's own parts of a failed statement: kind, code, phase, line,
    // column, sourceLine, hint (absent for other failures).
    this.detail = error.quiver || null;
  }
}

export class Api {
  constructor() {
    this.database = 'neo4j';
    this.authRequired = false;
    this.readOnly = false;
    this.version = '';
    this.credentials = JSON.parse(sessionStorage.getItem(CREDENTIALS) || 'null');
  }

  async discover() {
    const r = await fetch('/', { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(`the server's discovery document failed: HTTP ${r.status}`);
    const d = await r.json();
    this.database = d.default_database || 'neo4j';
    this.authRequired = !!d.quiver_auth;
    this.readOnly = !!d.quiver_read_only;
    this.version = d.quiver_version || '';
    return d;
  }

  signIn(user, password) {
    this.credentials = { user, password };
    sessionStorage.setItem(CREDENTIALS, JSON.stringify(this.credentials));
  }

  signOut() {
    this.credentials = null;
    sessionStorage.removeItem(CREDENTIALS);
  }

  // Runs one statement; resolves to {fields, rows, counters, plan, profiled,
  // ms, raw} with rows of typed JSON values, or throws an ApiError.
  async query(statement, parameters = {}) {
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/vnd.neo4j.query',
      // We ask for credentials ourselves: no browser dialog on a 401.
      'X-Ajax-Browser-Auth': 'true',
    };
    if (this.credentials) {
      const bytes = new TextEncoder().encode(`${this.credentials.user}:${this.credentials.password}`);
      headers.Authorization = 'Basic ' + btoa(String.fromCharCode(...bytes));
    }
    const started = performance.now();
    let r;
    try {
      r = await fetch(`/db/${encodeURIComponent(this.database)}/query/v2`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ statement, parameters }),
      });
    } catch (e) {
      throw new ApiError(0, { code: 'Network', message: `the server cannot be reached (${e.message}): is quiver serve still running?` });
    }
    const text = await r.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(r.status, { code: `HTTP ${r.status}`, message: text.slice(0, 500) || r.statusText });
    }
    if (!r.ok || body.errors?.length) {
      throw new ApiError(r.status, body.errors?.[0] || { message: `HTTP ${r.status}` });
    }
    return {
      fields: body.data?.fields || [],
      rows: body.data?.values || [],
      counters: body.counters || {},
      plan: body.queryPlan || body.profiledQueryPlan || null,
      profiled: !!body.profiledQueryPlan,
      ms: performance.now() - started,
      raw: body,
    };
  }
}
