// Local test OpenID Provider for the pam_oidc integration tests.
//
// HTTPS on 127.0.0.1 only, device authorization grant, fixed clients and
// accounts, RFC 8628 slow_down emulation, request counters, key rotation
// and a userinfo sub override.
// Configuration (environment):
//   IDP_PORT        port to listen on (required)
//   IDP_STATE       directory with ca.pem, server.pem, server.key; jwks.json
//                   (signing key) is created there on first start
//   IDP_INTERVAL    polling interval in seconds sent to clients (default 5)
//   IDP_DEVICE_TTL  device code lifetime in seconds (default 600)
// Everything is logged to stderr.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import Provider from 'oidc-provider';
// Internals, for POST /__rotate only: the provider has no public API to swap
// its signing keys at run time (package has no "exports", deep imports work).
import initializeKeystore from 'oidc-provider/lib/helpers/initialize_keystore.js';
import { normalize as normalizeUserCode } from 'oidc-provider/lib/helpers/user_codes.js';

const log = (...args) => console.error(new Date().toISOString(), '[idp]', ...args);

function intEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    log(`invalid ${name}=${raw}`);
    process.exit(2);
  }
  return n;
}

const PORT = intEnv('IDP_PORT', undefined);
const STATE = process.env.IDP_STATE;
if (!PORT || !STATE) {
  log('IDP_PORT and IDP_STATE are required');
  process.exit(2);
}
let INTERVAL = intEnv('IDP_INTERVAL', 5);
let ANNOUNCE = INTERVAL;
const DEVICE_TTL = intEnv('IDP_DEVICE_TTL', 600);
const ISSUER = `https://127.0.0.1:${PORT}`;

// ---------------------------------------------------------------- signing key
const JWKS_FILE = path.join(STATE, 'jwks.json');

// A new RS256 key with a new kid, saved as the only key in jwks.json.
function newJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig',
  };
  const jwks = { keys: [jwk] };
  const tmp = `${JWKS_FILE}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, JWKS_FILE);
  log(`generated RS256 signing key kid=${jwk.kid}`);
  return jwks;
}

function loadJwks() {
  if (fs.existsSync(JWKS_FILE)) {
    return JSON.parse(fs.readFileSync(JWKS_FILE, 'utf8'));
  }
  return newJwks();
}

// ------------------------------------------------------------------- accounts
const ACCOUNTS = {
  alice: { sub: 'a1f2c3d4-0001', name: 'Alice Example', roles: ['admin'] },
  bob: { sub: 'b2e3f4a5-0002', name: 'Bob Example', roles: ['user'] },
  carol: { sub: 'c3d4e5f6-0003', name: 'Carol Example', roles: ['user'] },
  dave: { sub: 'd4e5f6a7-0004', name: 'Dave Example', roles: [] },
  // Google-like quirks: email_verified as a string, hosted domain claim.
  gina: {
    sub: 'g7h8i9j0-0007', name: 'Gina Example', roles: ['user'], email_verified: 'true', hd: 'example.com',
  },
  hank: {
    sub: 'h8i9j0k1-0008', name: 'Hank Example', roles: ['user'], email_verified: false, hd: 'other.example',
  },
};

// POST /__userinfo_sub?value=X: userinfo answers with sub X (null: the real one).
let USERINFO_SUB = null;

async function findAccount(ctx, id) {
  const a = Object.hasOwn(ACCOUNTS, id) ? ACCOUNTS[id] : undefined;
  if (!a) return undefined;
  return {
    accountId: id,
    async claims() {
      return {
        sub: a.sub,
        preferred_username: id,
        name: a.name,
        email: `${id}@example.com`,
        email_verified: Object.hasOwn(a, 'email_verified') ? a.email_verified : true,
        roles: [...a.roles],
        ...(a.hd !== undefined ? { hd: a.hd } : {}),
      };
    },
  };
}

// -------------------------------------------------------------------- clients
const common = {
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
  response_types: [],
  redirect_uris: [],
  id_token_signed_response_alg: 'RS256',
};
const CLIENTS = [
  { ...common, client_id: 'pam-basic', client_secret: 'basic-secret', token_endpoint_auth_method: 'client_secret_basic' },
  { ...common, client_id: 'pam-post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' },
  { ...common, client_id: 'pam-public', token_endpoint_auth_method: 'none' },
];
const CLIENT_IDS = new Set(CLIENTS.map((c) => c.client_id));
const ALL_SCOPES = 'openid email profile roles';
const ALL_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'preferred_username', 'roles', 'hd'];

// ------------------------------------------------------------------- provider
const provider = new Provider(ISSUER, {
  clients: CLIENTS,
  jwks: loadJwks(),
  findAccount,
  scopes: ['openid', 'email', 'profile', 'roles'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    // hd (Google's hosted domain) rides on profile, so "openid email profile
    // roles" puts it in the ID token of the accounts that have one.
    profile: ['name', 'preferred_username', 'hd'],
    roles: ['roles'],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ['pam-oidc-test-idp-cookie-key'] },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: false },
  },
  ttl: {
    DeviceCode: () => DEVICE_TTL,
  },
  // Consent never blocks for the test clients: the grant covers every scope
  // and claim they may ask for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    if (!CLIENT_IDS.has(ctx.oidc.client.clientId)) return undefined;
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ALL_SCOPES);
    grant.addOIDCClaims(ALL_CLAIMS);
    await grant.save();
    return grant;
  },
});

provider.on('server_error', (ctx, err) => log('server_error', ctx.path, err));
provider.on('grant.error', (ctx, err) => log('grant.error', err.error || err.message, err.error_description || ''));
provider.on('device_authorization.error', (ctx, err) => log('device_authorization.error', err.error, err.error_description || ''));

// ------------------------------------------------------- direct approval
// The benchmarks and the allocation-failure loop approve hundreds of logins;
// the browser pages (approve.sh) cost ~100 ms each. These record the same
// outcome on the device code as the provider's own confirmation page does.
async function decide(userCode, account, deny) {
  const code = await provider.DeviceCode.findByUserCode(normalizeUserCode(userCode));
  if (!code) return 'unknown user_code';
  if (code.accountId || code.error) return 'already decided';
  if (deny) {
    code.error = 'access_denied';
    code.errorDescription = 'End-User aborted interaction';
  } else {
    if (!Object.hasOwn(ACCOUNTS, account)) return 'unknown account';
    const grant = new provider.Grant({ clientId: code.clientId, accountId: account });
    grant.addOIDCScope(ALL_SCOPES);
    grant.addOIDCClaims(ALL_CLAIMS);
    Object.assign(code, {
      accountId: account,
      authTime: Math.floor(Date.now() / 1000),
      grantId: await grant.save(),
      scope: code.params.scope || 'openid',
    });
  }
  await code.save();
  stats.approvals[userCode] = Date.now();
  return null;
}

// POST /__autoapprove?account=X[&delay_ms=N]: every later device
// authorization is approved as X after N ms (account empty: off).
let AUTO = null;

// ------------------------------------------------------------------- counters
const stats = {};
function resetStats() {
  Object.assign(stats, {
    tls_connections: 0, requests: {}, early_polls: 0, slow_down_sent: 0, token_polls: 0,
    // first polls sooner than one interval after the device authorization
    first_polls_early: 0,
    // What the module itself did (User-Agent pam_oidc/...): its TLS
    // connections and requests, apart from the test scripts' own.
    module_connections: 0, module_requests: {},
    // user_code -> ms epoch at which the provider recorded the approval
    // (POST /__approve or auto-approval), for the benchmarks.
    approvals: {},
  });
  stats.epoch = (stats.epoch || 0) + 1;
}
resetStats();

// device_code -> { interval (s), issued (ms epoch of the device
// authorization response), last (ms epoch of the previous poll, or null) }
const polls = new Map();

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TOLERANCE_MS = 100;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 64 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Reads an urlencoded body and leaves it on req.body, which the provider
// accepts as an already parsed body.
async function formBody(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const raw = await readBody(ctx.req);
  ctx.req.body = raw;
  return new URLSearchParams(raw);
}

function json(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

// Test endpoints and bookkeeping, ahead of the provider's own routes.
provider.use(async (ctx, next) => {
  const p = ctx.path;
  if (p === '/__stats' && ctx.method === 'GET') {
    json(ctx, 200, { ...stats, interval: INTERVAL });
    return;
  }
  if (p === '/__reset' && ctx.method === 'POST') {
    resetStats();
    json(ctx, 200, { ok: true });
    return;
  }
  stats.requests[p] = (stats.requests[p] || 0) + 1;
  if ((ctx.get('user-agent') || '').startsWith('pam_oidc/')) {
    const sock = ctx.req.socket;
    if (sock.pamOidcEpoch !== stats.epoch) {
      sock.pamOidcEpoch = stats.epoch;
      stats.module_connections += 1;
    }
    stats.module_requests[p] = (stats.module_requests[p] || 0) + 1;
  }
  if (p === '/__interval' && ctx.method === 'POST') {
    const v = Number(ctx.query.value);
    if (!Number.isInteger(v) || v < 0) {
      json(ctx, 400, { error: 'invalid value' });
      return;
    }
    INTERVAL = v;
    // announce=M: tell clients M while enforcing v, to provoke slow_down.
    const a = ctx.query.announce === undefined ? v : Number(ctx.query.announce);
    ANNOUNCE = Number.isInteger(a) && a >= 0 ? a : v;
    log(`interval set to ${v}, announced as ${ANNOUNCE}`);
    json(ctx, 200, { interval: v, announce: ANNOUNCE });
    return;
  }
  // New signing key, the only one in /jwks from now on.
  if (p === '/__rotate' && ctx.method === 'POST') {
    const jwks = newJwks();
    initializeKeystore.call(provider, jwks);
    json(ctx, 200, { kid: jwks.keys[0].kid });
    return;
  }
  if (p === '/__approve' && ctx.method === 'POST') {
    const err = await decide(String(ctx.query.user_code || ''), String(ctx.query.account || ''),
      ctx.query.deny === '1');
    json(ctx, err ? 400 : 200, err ? { error: err } : { ok: true });
    return;
  }
  if (p === '/__autoapprove' && ctx.method === 'POST') {
    const account = String(ctx.query.account || '');
    const delay = Number(ctx.query.delay_ms || 0);
    if ((account && !Object.hasOwn(ACCOUNTS, account)) || !Number.isInteger(delay) || delay < 0) {
      json(ctx, 400, { error: 'invalid account or delay_ms' });
      return;
    }
    AUTO = account ? { account, delay } : null;
    log(`auto-approval: ${AUTO ? `${account} after ${delay} ms` : 'off'}`);
    json(ctx, 200, { auto: AUTO });
    return;
  }
  if (p === '/__userinfo_sub' && ctx.method === 'POST') {
    const v = ctx.query.value;
    USERINFO_SUB = typeof v === 'string' && v !== '' ? v : null;
    log(`userinfo sub override: ${USERINFO_SUB ?? '(none)'}`);
    json(ctx, 200, { userinfo_sub: USERINFO_SUB });
    return;
  }

  // Login: only the known accounts may sign in (any password).
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(p)) {
    const form = await formBody(ctx);
    if (form && form.get('prompt') === 'login' && !Object.hasOwn(ACCOUNTS, form.get('login') || '')) {
      log(`login failed for unknown account "${form.get('login')}"`);
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = '<!DOCTYPE html><html><head><title>Sign-in failed</title></head>'
        + '<body><h1>Sign-in failed</h1><p id="login-error">invalid username</p></body></html>';
      return;
    }
    await next();
    return;
  }

  // Token endpoint: slow_down emulation for the device code grant.
  if (ctx.method === 'POST' && p === '/token') {
    const form = await formBody(ctx);
    if (form && form.get('grant_type') === DEVICE_GRANT) {
      stats.token_polls += 1;
      const dc = form.get('device_code');
      const st = dc ? polls.get(dc) : undefined;
      if (st && st.last === null) {
        // RFC 8628 3.5 spaces polling requests; the first may come at
        // once (wait = enter: the person says they approved). Counted
        // apart, so that tests of wait = poll can still see it.
        const now = Date.now();
        if (now - st.issued < st.interval * 1000 - TOLERANCE_MS) stats.first_polls_early += 1;
        st.last = now;
      } else if (st) {
        const now = Date.now();
        const delta = now - st.last;
        const early = delta < st.interval * 1000 - TOLERANCE_MS;
        st.last = now;
        if (early) {
          st.interval += 5;
          stats.early_polls += 1;
          stats.slow_down_sent += 1;
          log(`early poll after ${delta}ms, slow_down interval=${st.interval}`);
          json(ctx, 400, { error: 'slow_down', interval: st.interval });
          return;
        }
      }
    }
    await next();
    return;
  }

  await next();

  if (ctx.method === 'POST' && p === '/device/auth' && ctx.status === 200
      && ctx.body && typeof ctx.body === 'object' && ctx.body.device_code) {
    ctx.body = { ...ctx.body, interval: ANNOUNCE };
    polls.set(ctx.body.device_code, { interval: INTERVAL, last: null, issued: Date.now() });
    setTimeout(() => polls.delete(ctx.body.device_code), (DEVICE_TTL + 60) * 1000).unref();
    if (AUTO && AUTO.delay === 0) {
      // Approved before the client even sees the code: its first poll
      // always succeeds.
      const err = await decide(ctx.body.user_code, AUTO.account, false);
      if (err) log(`auto-approval of ${ctx.body.user_code}: ${err}`);
    } else if (AUTO) {
      const { user_code: uc } = ctx.body;
      const { account, delay } = AUTO;
      setTimeout(() => {
        decide(uc, account, false).then((e) => e && log(`auto-approval of ${uc}: ${e}`),
          (e) => log(`auto-approval of ${uc} failed`, e));
      }, delay);
    }
  }
  if (USERINFO_SUB !== null && p === '/me' && ctx.status === 200
      && ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)) {
    ctx.body = { ...ctx.body, sub: USERINFO_SUB };
  }
  if (ctx.method === 'GET' && ctx.status === 200
      && (p === '/.well-known/openid-configuration' || p === '/jwks')) {
    ctx.set('Cache-Control', 'max-age=300');
  }
});

// ---------------------------------------------------------------------- serve
const server = https.createServer({
  ca: fs.readFileSync(path.join(STATE, 'ca.pem')),
  cert: fs.readFileSync(path.join(STATE, 'server.pem')),
  key: fs.readFileSync(path.join(STATE, 'server.key')),
}, provider.callback());
server.on('secureConnection', () => { stats.tls_connections += 1; });
server.on('tlsClientError', (err) => log('tls client error:', err.code || err.message));

server.listen(PORT, '127.0.0.1', () => {
  const ready = path.join(STATE, 'ready');
  fs.writeFileSync(`${ready}.tmp`, `${PORT}\n`);
  fs.renameSync(`${ready}.tmp`, ready);
  log(`listening, issuer ${ISSUER}, interval ${INTERVAL}s, device code ttl ${DEVICE_TTL}s`);
});

function shutdown(sig) {
  log(`${sig}, shutting down`);
  try { fs.unlinkSync(path.join(STATE, 'ready')); } catch { /* gone */ }
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
