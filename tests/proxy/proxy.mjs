// HTTPS reverse proxy in front of the test OpenID Provider, with switchable
// misbehaviour: other providers' quirks (GitHub, Google) and network faults.
// Plain node, no dependencies.
//
//   node proxy.mjs --state DIR --idp-port N --port N [--trap-port N] [--wrong-cert-port N]
//                  [--forward-port N]
//
// DIR is the IdP's state directory: ca.pem (upstream trust), proxy.pem and
// proxy.key (this proxy, 127.0.0.1), wrong.pem and wrong.key (DNS:wrong.example
// only), jwks.json (to re-sign ID tokens with this proxy as issuer). Port 0
// picks a free port. Written on start: DIR/proxy.ports ("trap=N wrong_cert=N
// forward=N") and then DIR/proxy.ready (the main port). Log on stderr.
// The forward port is a plain HTTP forward proxy that forwards nothing: it
// records every request and CONNECT (proxy_hits) and answers 403, so a
// client that picks up https_proxy from its environment is seen.
//
// Control (main port only):
//   POST /__mode {"mode": NAME, "paths": [...], "times": N, ...params}
//   GET  /__mode            the current mode
//   GET  /__log             {"mode", "requests": [...], "trap_hits": [...],
//                            "proxy_hits": [...], "counters", "ports"}
//   POST /__log/reset
// See README.md for the modes.

import { createPrivateKey, createSign } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import zlib from 'node:zlib';

const log = (...args) => console.error(new Date().toISOString(), '[proxy]', ...args);

// ------------------------------------------------------------------ arguments
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`bad argument ${argv[i]}`);
    out[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  return out;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  log(e.message);
  process.exit(2);
}
const STATE = args.state;
const portArg = (name, def) => {
  const v = args[name] === undefined ? def : Number(args[name]);
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    log(`bad --${name}`);
    process.exit(2);
  }
  return v;
};
const IDP_PORT = portArg('idp-port', -1);
const PORT = portArg('port', -1);
const TRAP_PORT = portArg('trap-port', 0);
const WRONG_PORT = portArg('wrong-cert-port', 0);
const FORWARD_PORT = portArg('forward-port', 0);
if (!STATE || IDP_PORT <= 0 || PORT < 0) {
  log('usage: proxy.mjs --state DIR --idp-port N --port N [--trap-port N] [--wrong-cert-port N]');
  process.exit(2);
}

const HOST = '127.0.0.1';
const UPSTREAM = `https://${HOST}:${IDP_PORT}`;
const rd = (f) => fs.readFileSync(path.join(STATE, f));
const CA = rd('ca.pem');
const GOOD = { cert: rd('proxy.pem'), key: rd('proxy.key') };
const WRONG = { cert: rd('wrong.pem'), key: rd('wrong.key') };

const MAX_FAULT_MS = 60_000; // no fault keeps a socket longer than this
const MAX_BODY = 8 * 1024 * 1024; // request and upstream bodies we buffer
const LOG_MAX = 5000;

// ---------------------------------------------------------------------- modes
// paths: null = every path but /__*. Token polls and device answers are
// recognised by their content where a mode is about them.
const MODES = {
  pass: {},
  form: {},
  errors_200: {},
  github_slow_down: { interval: 5 },
  client_error: { error: 'device_flow_disabled', paths: ['/device/auth', '/token'] },
  google_device: {},
  drop_field: { field: null },
  refuse: {},
  reset_mid_body: {},
  stall: { phase: 'body' },
  status: { code: 500 },
  non_json: {},
  truncate: {},
  huge: { size: 10 * 1024 * 1024 },
  chunked_endless: {},
  gzip_bomb: {},
  redirect: { code: 302, location: null },
  wrong_host_cert: {},
  set_fields: {
    set: {}, unset: [], pad: {}, where: null,
  },
  claims: {
    set: {}, unset: [], header_set: {}, userinfo: true,
  },
};
// Answer-rewriting modes that can be chained with "+", e.g. "form+errors_200".
const TRANSFORMS = new Set(['form', 'errors_200', 'google_device', 'drop_field', 'set_fields', 'claims']);
// Members of answers that are secrets; the log keeps them so tests can
// look for them where they must never appear.
const SECRET_FIELDS = ['device_code', 'access_token', 'id_token', 'refresh_token'];

const GITHUB_ERRORS = {
  device_flow_disabled: 'Device Flow must be explicitly enabled for this App',
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  incorrect_device_code: 'The device_code provided is not valid.',
  unsupported_grant_type: 'The grant type is not supported.',
  access_denied: 'The authorization request was denied.',
  expired_token: 'The device_code has expired.',
};

let mode = { mode: 'pass', parts: ['pass'], paths: null, times: null, used: 0 };
const counters = {};
let requests = [];
let trapHits = [];
let proxyHits = [];
function resetLog() {
  requests = [];
  trapHits = [];
  proxyHits = [];
  Object.assign(counters, {
    connections: 0, requests: 0, faults: 0, slow_down_sent: 0, client_errors_sent: 0, id_tokens_resigned: 0,
  });
}
resetLog();

let mainServer;
let ports = {};

function setMode(body) {
  if (!body || typeof body !== 'object' || typeof body.mode !== 'string') {
    throw new Error('body must be {"mode": NAME, ...}');
  }
  const parts = body.mode.split('+');
  for (const p of parts) {
    if (!Object.hasOwn(MODES, p)) throw new Error(`unknown mode "${p}"; known: ${Object.keys(MODES).join(' ')}`);
  }
  if (parts.length > 1 && !parts.every((p) => TRANSFORMS.has(p))) {
    throw new Error(`only ${[...TRANSFORMS].join(', ')} combine with "+"`);
  }
  const defaults = Object.assign({}, ...parts.map((p) => MODES[p]));
  const m = {
    ...defaults, ...body, parts, used: 0, slowDownDone: false,
  };
  if (m.paths !== undefined && m.paths !== null
      && !(Array.isArray(m.paths) && m.paths.every((x) => typeof x === 'string'))) {
    throw new Error('paths must be an array of strings');
  }
  if (m.paths === undefined) m.paths = null;
  if (m.times !== undefined && m.times !== null && !(Number.isInteger(m.times) && m.times > 0)) {
    throw new Error('times must be a positive integer');
  }
  if (m.times === undefined) m.times = null;
  if (parts.includes('status') && !(Number.isInteger(m.code) && m.code >= 100 && m.code <= 599)) {
    throw new Error('status: code must be an HTTP status');
  }
  if (parts.includes('redirect')) {
    if (![301, 302, 303, 307, 308].includes(m.code)) throw new Error('redirect: code must be 301/302/303/307/308');
    if (m.location !== null && typeof m.location !== 'string') throw new Error('redirect: location must be a string');
  }
  if (parts.includes('client_error') && typeof m.error !== 'string') throw new Error('client_error: error must be a string');
  if (parts.includes('github_slow_down') && !(Number.isInteger(m.interval) && m.interval >= 0)) {
    throw new Error('github_slow_down: interval must be an integer');
  }
  if (parts.includes('huge') && !(Number.isInteger(m.size) && m.size > 0 && m.size <= 256 * 1024 * 1024)) {
    throw new Error('huge: size must be 1..256 MiB');
  }
  if (parts.includes('stall') && !['body', 'headers'].includes(m.phase)) throw new Error('stall: phase is body or headers');
  const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  const isNames = (x) => Array.isArray(x) && x.every((y) => typeof y === 'string');
  if (parts.includes('set_fields')) {
    if (!isObj(m.set) || !isNames(m.unset) || !isObj(m.pad) || (m.where !== null && !isObj(m.where))) {
      throw new Error('set_fields: set and pad are objects, unset an array of names, where null or an object');
    }
    for (const v of Object.values(m.pad)) {
      if (!(Number.isInteger(v) && v >= 0 && v <= 64 * 1024 * 1024)) throw new Error('set_fields: pad sizes are 0..64 MiB');
    }
  }
  if (parts.includes('claims')
      && (!isObj(m.set) || !isNames(m.unset) || !isObj(m.header_set) || typeof m.userinfo !== 'boolean')) {
    throw new Error('claims: set and header_set are objects, unset an array of names, userinfo a boolean');
  }
  mode = m;
  // TLS level: the main listener's certificate, for new connections
  // without SNI (clients of https://127.0.0.1:PORT send none).
  mainServer.setSecureContext(parts.includes('wrong_host_cert') ? WRONG : GOOD);
  log('mode', JSON.stringify(publicMode()));
}

function publicMode() {
  const { parts, slowDownDone, ...rest } = mode;
  return rest;
}

function pathMatches(p) {
  if (p.startsWith('/__')) return false;
  if (mode.paths === null) return true;
  return mode.paths.some((x) => (x.endsWith('*') ? p.startsWith(x.slice(0, -1)) : p === x));
}

// ------------------------------------------------------------------- helpers
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade',
  'te', 'trailer', 'content-length', 'host', 'accept-encoding']);

function upstream(req, body) {
  return new Promise((resolve, reject) => {
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
    headers.host = `${HOST}:${IDP_PORT}`;
    if (body.length) headers['content-length'] = String(body.length);
    const r = https.request({
      host: HOST, port: IDP_PORT, method: req.method, path: req.url, headers, ca: CA, agent: false, timeout: 30_000,
    }, (res) => {
      readBody(res, MAX_BODY).then((b) => resolve({ status: res.statusCode, headers: res.headers, body: b }), reject);
    });
    r.on('timeout', () => r.destroy(new Error('upstream timeout')));
    r.on('error', reject);
    r.end(body);
  });
}

const isJsonType = (h) => /^application\/(?:[\w.+-]*\+)?json\b/i.test(h['content-type'] || '');
const isTextType = (h) => isJsonType(h) || /^text\//i.test(h['content-type'] || '');

// Re-sign an ID token with this proxy as issuer, with the key (by kid) from
// the IdP's jwks.json; read each time, so /__rotate on the IdP is followed.
const b64u = (b) => Buffer.from(b).toString('base64url');
// edit: null, or {set, unset, header_set} applied to the claims and header.
function resignIdToken(jwt, origin, edit) {
  const parts = typeof jwt === 'string' ? jwt.split('.') : [];
  if (parts.length !== 3) return jwt;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (header.alg !== 'RS256' || claims.iss !== UPSTREAM) return jwt;
    const { keys } = JSON.parse(rd('jwks.json').toString('utf8'));
    const jwk = keys.find((k) => k.kid === header.kid);
    if (!jwk) return jwt;
    claims.iss = origin;
    let head = parts[0];
    if (edit) {
      for (const k of edit.unset) delete claims[k];
      Object.assign(claims, edit.set);
      if (Object.keys(edit.header_set).length) head = b64u(JSON.stringify({ ...header, ...edit.header_set }));
    }
    const input = `${head}.${b64u(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(createPrivateKey({ key: jwk, format: 'jwk' }));
    counters.id_tokens_resigned += 1;
    return `${input}.${b64u(sig)}`;
  } catch (e) {
    log('id_token re-sign failed:', e.message);
    return jwt;
  }
}

// Upstream origin -> ours in text bodies and Location; ID tokens re-signed.
function rewrite(up, origin, edit) {
  const headers = { ...up.headers };
  for (const h of HOP) delete headers[h];
  if (typeof headers.location === 'string') headers.location = headers.location.split(UPSTREAM).join(origin);
  let { body } = up;
  let obj;
  if (isTextType(headers) && !headers['content-encoding']) {
    body = Buffer.from(body.toString('utf8').split(UPSTREAM).join(origin), 'utf8');
    if (isJsonType(headers)) {
      try {
        obj = JSON.parse(body.toString('utf8'));
      } catch { /* not JSON after all */ }
      if (obj && typeof obj === 'object' && typeof obj.id_token === 'string') {
        obj.id_token = resignIdToken(obj.id_token, origin, edit);
        body = Buffer.from(JSON.stringify(obj), 'utf8');
      }
    }
  }
  return {
    status: up.status, headers, body, obj,
  };
}

function toForm(obj) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) u.append(k, v.join(','));
    else if (typeof v === 'object') u.append(k, JSON.stringify(v));
    else u.append(k, String(v));
  }
  return u.toString();
}

// Large filler for set_fields' pad: size bytes of "A".
const filler = (size) => 'A'.repeat(size);

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function applyTransforms(r, parts, reqPath) {
  for (const p of parts) {
    if (!r.obj || typeof r.obj !== 'object' || Array.isArray(r.obj)) return r;
    if (p === 'set_fields' && (mode.where === null
        || Object.entries(mode.where).every(([k, v]) => sameJson(r.obj[k], v)))) {
      // Hostile values in an answer: e.g. the device authorization's
      // user_code or verification_uri, a token error's error_description.
      for (const k of mode.unset) delete r.obj[k];
      Object.assign(r.obj, mode.set);
      for (const [k, n] of Object.entries(mode.pad)) r.obj[k] = filler(n);
      r.body = Buffer.from(JSON.stringify(r.obj), 'utf8');
    } else if (p === 'claims' && mode.userinfo && reqPath === '/me') {
      // The userinfo answer gets the same claim edits as the ID token.
      for (const k of mode.unset) delete r.obj[k];
      Object.assign(r.obj, mode.set);
      r.body = Buffer.from(JSON.stringify(r.obj), 'utf8');
    }
    if (p === 'drop_field' && typeof mode.field === 'string'
        && Object.hasOwn(r.obj, mode.field)) {
      // A provider that lacks a member, e.g. device_authorization_endpoint.
      delete r.obj[mode.field];
      r.body = Buffer.from(JSON.stringify(r.obj), 'utf8');
    } else if (p === 'errors_200' && r.status >= 400 && typeof r.obj.error === 'string') {
      r.status = 200;
    } else if (p === 'google_device' && typeof r.obj.verification_uri === 'string') {
      const o = {};
      for (const [k, v] of Object.entries(r.obj)) {
        if (k === 'verification_uri') o.verification_url = v;
        else if (k !== 'verification_uri_complete') o[k] = v;
      }
      r.obj = o;
      r.body = Buffer.from(JSON.stringify(o), 'utf8');
    }
  }
  if (parts.includes('form')) {
    r.body = Buffer.from(toForm(r.obj), 'utf8');
    r.headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  }
  return r;
}

function send(res, status, headers, body) {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(body);
}

function sendJson(res, status, obj) {
  send(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' },
    Buffer.from(JSON.stringify(obj), 'utf8'));
}

// Raw HTTP/1.1 head, for the faults that write to the socket themselves.
function rawHead(status, headers) {
  let s = `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Fault'}\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
  return Buffer.from(`${s}\r\n`, 'latin1');
}

// Every fault socket dies after MAX_FAULT_MS whatever happens.
function bound(sock, extra) {
  const t = setTimeout(() => {
    if (extra) extra();
    sock.destroy();
  }, MAX_FAULT_MS);
  t.unref();
  sock.once('close', () => {
    clearTimeout(t);
    if (extra) extra();
  });
}

// TCP RST: on a server TLSSocket only the wrapped net.Socket can do it.
function hardReset(sock) {
  const raw = sock._parent;
  if (raw && typeof raw.resetAndDestroy === 'function') {
    try {
      raw.resetAndDestroy();
      sock.destroy();
      return;
    } catch { /* fall back */ }
  }
  sock.destroy();
}

// ~100 KB of gzip that inflates to 100 MB of zeros; made once, in the background.
const gzipBomb = new Promise((resolve, reject) => {
  const gz = zlib.createGzip({ level: 9 });
  const out = [];
  gz.on('data', (c) => out.push(c));
  gz.on('end', () => resolve(Buffer.concat(out)));
  gz.on('error', reject);
  const zeros = Buffer.alloc(1024 * 1024);
  let n = 0;
  const pump = () => {
    while (n < 100) {
      n += 1;
      if (!gz.write(zeros)) {
        gz.once('drain', pump);
        return;
      }
    }
    gz.end();
  };
  pump();
});
gzipBomb.catch((e) => log('gzip bomb:', e.message));

const isTokenPoll = (req, body) => req.method === 'POST'
  && new URLSearchParams(body.toString('utf8')).get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code';

// ------------------------------------------------------------------- handler
async function control(req, res, p) {
  if (p === '/__mode' && req.method === 'GET') return sendJson(res, 200, publicMode());
  if (p === '/__mode' && req.method === 'POST') {
    let body;
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8') || '{}');
      setMode(body);
    } catch (e) {
      return sendJson(res, 400, { error: e.message });
    }
    return sendJson(res, 200, publicMode());
  }
  if (p === '/__log' && req.method === 'GET') {
    return sendJson(res, 200, {
      mode: publicMode(),
      ports: {
        main: ports.main, trap: ports.trap, wrong_cert: ports.wrong_cert, forward: ports.forward,
      },
      counters,
      requests,
      trap_hits: trapHits,
      proxy_hits: proxyHits,
    });
  }
  if (p === '/__log/reset' && req.method === 'POST') {
    resetLog();
    return sendJson(res, 200, { ok: true });
  }
  return sendJson(res, 404, { error: 'unknown control endpoint' });
}

function makeHandler(listener, origin) {
  return async (req, res) => {
    const p = new URL(req.url, origin).pathname;
    req.socket.on('error', () => {});
    if (p.startsWith('/__')) {
      if (listener === 'main') return control(req, res, p);
      return sendJson(res, 404, { error: 'control is on the main port' });
    }
    counters.requests += 1;
    const entry = {
      t: new Date().toISOString(),
      listener,
      method: req.method,
      path: req.url,
      ua: req.headers['user-agent'] ?? null,
      accept: req.headers.accept ?? null,
      accept_encoding: req.headers['accept-encoding'] ?? null,
      fault: null,
      status: null,
    };
    if (requests.length < LOG_MAX) requests.push(entry);

    let body;
    try {
      body = await readBody(req, MAX_BODY);
    } catch {
      return undefined;
    }
    // The authentication context asked for (never a secret), for the tests.
    if (req.method === 'POST' && body.length) {
      const acr = new URLSearchParams(body.toString('utf8')).get('acr_values');
      if (acr !== null) entry.acr_values = acr;
    }

    const active = !mode.parts.includes('pass') && !mode.parts.includes('wrong_host_cert')
      && pathMatches(p) && (mode.times === null || mode.used < mode.times);
    const parts = active ? mode.parts : ['pass'];
    const [m] = parts;

    // Faults that need no upstream answer.
    const fault = (name) => {
      entry.fault = name;
      counters.faults += 1;
      mode.used += 1;
    };
    const sock = req.socket;
    switch (m) {
      case 'refuse':
        fault(m);
        sock.destroy();
        return undefined;
      case 'status': {
        fault(m);
        entry.status = mode.code;
        const h = { 'content-type': 'text/plain' };
        if (mode.code === 429 || mode.code === 503) h['retry-after'] = String(mode.retry_after ?? 1);
        return send(res, mode.code, h, Buffer.from(`${mode.code} injected by test proxy\n`));
      }
      case 'non_json':
        fault(m);
        entry.status = 200;
        return send(res, 200, { 'content-type': 'text/html; charset=utf-8' },
          Buffer.from('<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Not JSON.</p></body></html>\n'));
      case 'redirect': {
        fault(m);
        entry.status = mode.code;
        const loc = mode.location ?? `https://${HOST}:${ports.trap}${req.url}`;
        return send(res, mode.code, { location: loc, 'content-type': 'application/json' },
          Buffer.from(`{"redirect":${JSON.stringify(loc)}}\n`));
      }
      case 'client_error':
        if (req.method !== 'POST') break;
        fault(m);
        counters.client_errors_sent += 1;
        entry.status = 200;
        return sendJson(res, 200, {
          error: mode.error,
          error_description: mode.error_description ?? GITHUB_ERRORS[mode.error] ?? `Injected ${mode.error}.`,
          error_uri: mode.error_uri ?? 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow',
        });
      case 'github_slow_down':
        if (mode.slowDownDone || !isTokenPoll(req, body)) break;
        mode.slowDownDone = true;
        fault(m);
        counters.slow_down_sent += 1;
        entry.status = 200;
        return sendJson(res, 200, {
          error: 'slow_down',
          error_description: 'Too many requests have been made in the same timeframe.',
          error_uri: 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow',
          interval: mode.interval,
        });
      case 'huge': {
        fault(m);
        entry.status = 200;
        const size = mode.size;
        sock.write(rawHead(200, { 'content-type': 'application/json', 'content-length': size, connection: 'close' }));
        const head = Buffer.from('{"padding":"');
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let sent = 0;
        bound(sock);
        const pump = () => {
          while (sent < size && !sock.destroyed) {
            let b = sent === 0 ? head : chunk;
            if (sent + b.length >= size) b = Buffer.concat([b, Buffer.from('"}')]).subarray(0, size - sent);
            sent += b.length;
            if (!sock.write(b)) {
              sock.once('drain', pump);
              return;
            }
          }
          if (!sock.destroyed) sock.end();
        };
        pump();
        return undefined;
      }
      case 'chunked_endless': {
        fault(m);
        entry.status = 200;
        sock.write(rawHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close' }));
        const piece = (s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
        sock.write(piece('{"items":['));
        const iv = setInterval(() => {
          if (!sock.destroyed) sock.write(piece(`"${'x'.repeat(1000)}",`));
        }, 50);
        iv.unref();
        bound(sock, () => clearInterval(iv));
        return undefined;
      }
      case 'gzip_bomb': {
        fault(m);
        entry.status = 200;
        const gz = await gzipBomb;
        return send(res, 200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gz);
      }
      default:
        break;
    }

    // Everything else goes upstream first.
    let r;
    try {
      const edit = parts.includes('claims') ? { set: mode.set, unset: mode.unset, header_set: mode.header_set } : null;
      r = rewrite(await upstream(req, body), origin, edit);
      if (edit && r.obj && typeof r.obj.id_token === 'string') fault('claims');
    } catch (e) {
      log('upstream error:', e.message);
      entry.status = 502;
      return sendJson(res, 502, { error: 'upstream', detail: e.message });
    }
    if (parts.some((x) => TRANSFORMS.has(x))) {
      const before = { body: r.body, status: r.status };
      r = applyTransforms(r, parts, p);
      if (r.body !== before.body || r.status !== before.status) fault(mode.mode);
    }
    entry.status = r.status;
    if (r.obj && typeof r.obj === 'object') {
      const found = SECRET_FIELDS.filter((k) => typeof r.obj[k] === 'string');
      if (found.length) entry.secrets = Object.fromEntries(found.map((k) => [k, r.obj[k]]));
    }

    switch (m) {
      case 'reset_mid_body': {
        fault(m);
        const h = { ...r.headers, 'content-length': r.body.length, connection: 'close' };
        sock.write(rawHead(r.status, h));
        // Default: close without TLS close_notify (FIN). rst: true sends a TCP
        // RST after 200 ms instead (the peer may then lose the half body).
        sock.write(r.body.subarray(0, Math.floor(r.body.length / 2)), () => setTimeout(
          () => (mode.rst ? hardReset(sock) : sock.destroy()),
          mode.rst ? 200 : 20,
        ).unref());
        bound(sock);
        return undefined;
      }
      case 'truncate': {
        fault(m);
        const h = { ...r.headers, 'content-length': r.body.length + 64, connection: 'close' };
        sock.write(rawHead(r.status, h));
        sock.end(r.body.subarray(0, Math.max(0, Math.floor(r.body.length / 2))));
        bound(sock);
        return undefined;
      }
      case 'stall': {
        fault(m);
        const h = { ...r.headers, 'content-length': r.body.length, connection: 'close' };
        const head = rawHead(r.status, h);
        let data;
        if (mode.phase === 'headers') {
          data = Buffer.concat([head, r.body]);
        } else {
          sock.write(head);
          data = r.body;
        }
        let i = 0;
        const drip = () => {
          if (sock.destroyed) return;
          if (i >= data.length) {
            sock.end();
            return;
          }
          sock.write(data.subarray(i, i + 1));
          i += 1;
        };
        drip();
        const iv = setInterval(drip, 10_000);
        iv.unref();
        bound(sock, () => clearInterval(iv));
        return undefined;
      }
      default:
        return send(res, r.status, r.headers, r.body);
    }
  };
}

// ------------------------------------------------------------------ listeners
function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server.address().port));
  });
}

function tuned(server) {
  server.keepAliveTimeout = 5000;
  server.requestTimeout = MAX_FAULT_MS;
  server.headersTimeout = 30_000;
  server.on('tlsClientError', (err) => log('tls client error:', err.code || err.message));
  server.on('secureConnection', () => { counters.connections += 1; });
  return server;
}

// A CONNECT (or any request) that was meant for a forward proxy: recorded
// in proxy_hits and refused.
function proxyHit(listener, req) {
  const hit = {
    t: new Date().toISOString(), listener, method: req.method, url: req.url, ua: req.headers['user-agent'] ?? null,
  };
  if (proxyHits.length < LOG_MAX) proxyHits.push(hit);
  log('proxy hit', listener, req.method, req.url);
}
function refuseConnect(listener) {
  return (req, sock) => {
    proxyHit(listener, req);
    sock.on('error', () => {});
    sock.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  };
}

const forwardServer = http.createServer((req, res) => {
  proxyHit('forward', req);
  req.resume();
  res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
  res.end('forwarding refused by test proxy\n');
});
forwardServer.on('connect', refuseConnect('forward'));
forwardServer.on('clientError', (err, sock) => sock.destroy());

const trapServer = tuned(https.createServer({ ...GOOD }, (req, res) => {
  trapHits.push({
    t: new Date().toISOString(), method: req.method, path: req.url, ua: req.headers['user-agent'] ?? null,
  });
  log('trap hit', req.method, req.url);
  sendJson(res, 200, { trap: true });
}));

async function main() {
  ports.trap = await listen(trapServer, TRAP_PORT);
  // Main listener: origin must be known before the handler runs.
  // SNI "localhost" always gets the good certificate, so that the control
  // endpoints stay reachable (https://localhost:PORT/__mode) in wrong_host_cert.
  const goodCtx = tls.createSecureContext(GOOD);
  mainServer = tuned(https.createServer({
    ...GOOD,
    SNICallback: (name, cb) => cb(null, name === 'localhost' ? goodCtx : undefined),
  }));
  ports.main = await listen(mainServer, PORT);
  mainServer.on('request', makeHandler('main', `https://${HOST}:${ports.main}`));
  mainServer.on('connect', refuseConnect('main'));
  const wrongServer = tuned(https.createServer({ ...WRONG }));
  ports.wrong_cert = await listen(wrongServer, WRONG_PORT);
  wrongServer.on('request', makeHandler('wrong_cert', `https://${HOST}:${ports.wrong_cert}`));
  wrongServer.on('connect', refuseConnect('wrong_cert'));
  ports.forward = await listen(forwardServer, FORWARD_PORT);

  const w = (name, text) => {
    const f = path.join(STATE, name);
    fs.writeFileSync(`${f}.tmp`, text);
    fs.renameSync(`${f}.tmp`, f);
  };
  w('proxy.ports', `trap=${ports.trap} wrong_cert=${ports.wrong_cert} forward=${ports.forward}\n`);
  w('proxy.ready', `${ports.main}\n`);
  log(`listening on ${ports.main} -> ${UPSTREAM}; trap ${ports.trap}, wrong cert ${ports.wrong_cert}, forward ${ports.forward}`);

  const shutdown = (sig) => {
    log(`${sig}, shutting down`);
    try { fs.unlinkSync(path.join(STATE, 'proxy.ready')); } catch { /* gone */ }
    for (const s of [mainServer, wrongServer, trapServer, forwardServer]) {
      s.close();
      s.closeAllConnections?.();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => {
  log('start failed:', e.message);
  process.exit(1);
});
