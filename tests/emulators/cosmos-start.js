// The Cosmos DB stand-in for the Azure-profile tests, the bench and ./run-azure-emulated.sh.
// Brought in from the team's shared tools (tools/cosmos-emulator/start.js); changes here: port 0
// support (the bound port is printed), EMULATOR_EXIT_WITH_STDIN, quoted ETags (8), a quiet console
// (9), resource ids without '/' (10) and a [query] tag in the request log. docs/emulators.md lists what this stand-in cannot prove.
// cosmosdb-server + compatibility shim for the .NET SDK (Linux = gateway query plan path).
// 1) answers gateway query-plan requests with a "passthrough" plan over the full range, so the
//    SDK sends the original SQL to the server (which has a single partition-key range) unchanged;
// 2) marks query responses x-ms-cosmos-query-requiresdistribution:false so ODE continuation works;
// 3) turns the server's 500 on "read missing document" into 404; see 4)-10) below.
const { createHttpsServer, createHttpServer } = require("@vercel/cosmosdb-server");
const { randomUUID } = require("crypto");
const fs = require("fs");
const { AsyncLocalStorage } = require("async_hooks");
// 4) the server ignores x-ms-documentdb-partitionkey on queries/read-feed: filter by it.
const als = new AsyncLocalStorage();
const Items = require("@vercel/cosmosdb-server/lib/account/items").default;
const getValue = require("@vercel/cosmosdb-server/lib/utils/get-value").default;
// 10) resource ids (_rid) in Cosmos DB's alphabet: base64 with '-' for '/'. The server writes plain
//     base64, so the 63rd database (0x3F) got a '/' in its rid and the SDK's .../colls/{rid}/pkranges
//     path split on it (404 "stale cache" on every query in that database); it also mapped back only the
//     first '-'.
const ResourceId = require("@vercel/cosmosdb-server/lib/account/resource-id").default;
ResourceId.toBase64String = buffer => buffer.toString("base64").replace(/\//g, "-");
ResourceId.fromBase64String = s => Buffer.from(s.replace(/-/g, "/"), "base64");
// 5) change feed (A-IM: Incremental Feed): every write gets a global _lsn; the etag/continuation is that lsn.
let lsn = 0;
const origSet = Items.prototype._set;
// 8) ETags are quoted strings, as the service sends them (the server makes bare UUIDs), so an
//    adapter's ETag handling is the same against both.
Items.prototype._set = function (data) {
  if (this.constructor.name === "Documents") {
    data._lsn = ++lsn;
    if (typeof data._etag === "string" && !data._etag.startsWith('"')) data._etag = `"${data._etag}"`;
  }
  return origSet.call(this, data);
};
function pkFilter(self, ctx) {
  if (!ctx || ctx.pk === undefined || typeof self._getPartitionKeyPath !== "function") return null;
  const path = self._getPartitionKeyPath();
  return d => { const v = d ? getValue(path, d) : undefined; return !!d && JSON.stringify(v === undefined ? null : v) === JSON.stringify(ctx.pk); };
}
function withPartition(self, ctx, fn) {
  const keep = pkFilter(self, ctx);
  if (!keep) return fn();
  const saved = self._data;
  self._data = new Map([...saved].filter(([, item]) => keep(item.read())));
  try { return fn(); } finally { self._data = saved; }
}
// 6) OFFSET/LIMIT and DISTINCT are not in the server's SQL grammar: strip them and apply after execution.
function emulate(params) {
  let q = params.query || ""; const post = [];
  const ol = /\s+OFFSET\s+(@\w+|\d+)\s+LIMIT\s+(@\w+|\d+)\s*$/i.exec(q);
  if (ol) {
    q = q.slice(0, ol.index);
    const val = t => /^\d+$/.test(t) ? +t : +(((params.parameters || []).find(p => p.name === t) || {}).value);
    const off = val(ol[1]), lim = val(ol[2]);
    post.push(r => r.slice(off, off + lim));
  }
  if (/^\s*SELECT\s+DISTINCT\s+/i.test(q)) {
    q = q.replace(/^\s*SELECT\s+DISTINCT\s+/i, "SELECT ");
    post.unshift(r => { const seen = new Set(); return r.filter(x => { const k = JSON.stringify(x); if (seen.has(k)) return false; seen.add(k); return true; }); });
  }
  return { q, post };
}
const origQuery = Items.prototype.query, origRead = Items.prototype.read;
Items.prototype.query = function (params, opts) {
  const ctx = als.getStore();
  const { q, post } = emulate(params || {});
  return withPartition(this, ctx, () => {
    if (!post.length) return origQuery.call(this, params, opts);
    const r = origQuery.call(this, { ...params, query: q }, { ...opts, maxItemCount: undefined, continuation: undefined });
    if (r && r.result) { r.result = post.reduce((acc, f) => f(acc), r.result); r.continuation = undefined; }
    return r;
  });
};
Items.prototype.read = function (...args) {
  const ctx = als.getStore();
  if (ctx && ctx.changeFeed && this.constructor.name === "Documents") {
    if (!this._parent.read()) return null;
    const keep = pkFilter(this, ctx) || (() => true);
    const { since, modifiedSince, max } = ctx.changeFeed;
    let docs = [...this._data.values()].map(i => i.read()).filter(d => d && keep(d) && (d._lsn || 0) > since && (!modifiedSince || d._ts * 1000 >= modifiedSince));
    docs.sort((a, b) => a._lsn - b._lsn);
    if (max > 0) docs = docs.slice(0, max);
    ctx.changeFeed.etag = docs.length ? docs[docs.length - 1]._lsn : since;
    return { result: docs };
  }
  return withPartition(this, ctx, () => origRead.apply(this, args));
};
function headerPartitionKey(h) {
  const raw = h["x-ms-documentdb-partitionkey"];
  if (!raw || raw === "[{}]" || String(h["x-ms-documentdb-query-enablecrosspartition"]).toLowerCase() === "true") return undefined;
  try { const v = JSON.parse(raw); return Array.isArray(v) ? v[0] : v; } catch { return undefined; }
}
// 9) the server prints a stack trace for every read of a missing document (the 500 turned into a 404 above): keep the console quiet.
const consoleError = console.error;
console.error = (...args) => { if (!(args[0] instanceof TypeError && String(args[0].message).includes("Cannot read properties of undefined"))) consoleError(...args); };
const log = fs.createWriteStream(process.env.COSMOS_LOG || "/dev/null", { flags: "a" });
const PLAN = JSON.stringify({
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: { distinctType: "None", top: null, offset: null, limit: null, orderBy: [], orderByExpressions: [],
    groupByExpressions: [], groupByAliases: [], aggregates: [], groupByAliasToAggregateType: {}, rewrittenQuery: "",
    hasSelectValue: false, dCountInfo: null, hasNonStreamingOrderBy: false },
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
});
const isTrue = v => String(v || "").toLowerCase() === "true";
function wrap(server, tag) {
  const [orig] = server.listeners("request");
  server.removeAllListeners("request");
  server.on("request", (req, res) => {
    const h = req.headers;
    res.on("finish", () => log.write(`${tag} ${req.method} ${req.url} -> ${res.statusCode}${isTrue(h["x-ms-cosmos-is-query-plan-request"]) ? " [plan]" : isTrue(h["x-ms-documentdb-isquery"]) || h["content-type"] === "application/query+json" ? " [query]" : ""}${h["x-ms-documentdb-partitionkey"] ? " pk=" + h["x-ms-documentdb-partitionkey"] : ""}\n`));
    if (req.method === "POST" && isTrue(h["x-ms-cosmos-is-query-plan-request"])) {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "x-ms-activity-id": randomUUID(), "x-ms-request-charge": "1" });
        res.end(PLAN);
      });
      return;
    }
    if (req.method === "POST" && (isTrue(h["x-ms-documentdb-isquery"]) || h["content-type"] === "application/query+json")) {
      res.setHeader("x-ms-cosmos-query-requiresdistribution", "false");
    }
    if (req.method === "GET" && /\/docs\/[^/]+\/?$/.test(req.url.split("?")[0])) {
      const end = res.end.bind(res);
      res.end = (body, ...rest) => {
        if (res.statusCode === 500 && String(body).includes("Cannot read properties of undefined")) {
          res.statusCode = 404;
          body = JSON.stringify({ code: "NotFound", message: "Entity with the specified id does not exist in the system." });
        } else if (res.statusCode === 200 && h["if-none-match"]) { // 7) conditional read -> 304
          try { if (JSON.parse(String(body))._etag === h["if-none-match"]) { res.statusCode = 304; body = undefined; } } catch {}
        }
        return end(body, ...rest);
      };
    }
    const pk = (req.method === "POST" || req.method === "GET") && /\/docs\/?$/.test(req.url.split("?")[0]) ? headerPartitionKey(h) : undefined;
    if (pk !== undefined) req.headers["x-ms-documentdb-query-enablecrosspartition"] = "true"; // server's own PK check would reject e.g. COUNT
    let changeFeed;
    if (req.method === "GET" && /\/docs\/?$/.test(req.url.split("?")[0]) && String(h["a-im"] || "").toLowerCase() === "incremental feed") {
      const inm = h["if-none-match"];
      changeFeed = { since: !inm ? 0 : inm === "*" ? lsn : (parseInt(String(inm).replace(/"/g, ""), 10) || 0),
                     modifiedSince: h["if-modified-since"] ? Date.parse(h["if-modified-since"]) : 0,
                     max: parseInt(h["x-ms-max-item-count"] || "0", 10) };
      const end = res.end.bind(res);
      res.end = (body, ...rest) => {
        if (res.statusCode === 200 || res.statusCode === 304) {
          let n = 0; try { n = JSON.parse(String(body))._count || 0; } catch {}
          res.statusCode = n ? 200 : 304;
          res.setHeader("etag", String(changeFeed.etag));
          res.setHeader("x-ms-item-count", String(n));
          if (!n) body = undefined;
        }
        return end(body, ...rest);
      };
    }
    als.run({ pk, changeFeed }, () => orig(req, res));
  });
  return server;
}
const host = process.env.COSMOS_HOST || "127.0.0.1";
const httpsPort = +(process.env.COSMOS_HTTPS_PORT || 8081), httpPort = +(process.env.COSMOS_HTTP_PORT || 8082);
// Port 0 picks a free port; the line printed names the one bound, which the test fixture reads.
const https = wrap(createHttpsServer({ keepAlive: true }), "https");
https.listen(httpsPort, host, () => console.log(`https ready ${host}:${https.address().port}`));
const http = wrap(createHttpServer({ keepAlive: true }), "http");
http.listen(httpPort, host, () => console.log(`http ready ${host}:${http.address().port}`));
// Started by tests or the bench with stdin piped: exit when the parent goes away, even if it crashed.
if (process.env.EMULATOR_EXIT_WITH_STDIN === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
