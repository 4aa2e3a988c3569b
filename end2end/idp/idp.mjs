// A real OpenID provider for Gatehouse's single sign-on tests: panva's oidc-provider (OpenID
// certified) on the loopback, with one static client, a static RS256 key set (test-jwks.json,
// a test key and nothing else), and its development login pages (any login, any password: the
// login is the e-mail address). Started by scripts/test.sh; never used outside tests.
//
//   node idp.mjs <port> <redirect uri>
//
// Test controls (loopback only, JSON bodies):
//   POST /__test/groups {"email", "groups": [...]}   the groups the person's ID token carries
//   POST /__test/mode   {"mode"}                     how the next token responses are bent:
//       normal          as issued
//       wrong_audience  the ID token re-signed for another audience
//       expired         the ID token re-signed as expired ten minutes ago
//       replay          the ID token of the previous sign-in instead of this one's
//       unverified      the person's e-mail address not verified
import Provider from 'oidc-provider';
import * as jose from 'jose';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: node idp.mjs <port> <redirect uri>');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const jwks = JSON.parse(readFileSync(path.join(here, 'test-jwks.json'), 'utf8'));
const issuer = `http://127.0.0.1:${port}`;
export const CLIENT = { id: 'gatehouse-test', secret: 'gatehouse-test-secret' };

const groups = new Map();
let mode = 'normal';
let previousIdToken = null;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks,
  cookies: { keys: ['gatehouse-test-idp-cookies'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // The ID token carries the claims of the granted scopes (groups included).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const email = String(id).trim().toLowerCase();
    return {
      accountId: email,
      async claims() {
        return {
          sub: `subject-${email}`,
          email,
          email_verified: mode !== 'unverified',
          name: email.split('@')[0].replace(/[._]/g, ' '),
          groups: groups.get(email) ?? [],
        };
      },
    };
  },
  // First-party test client: no consent screen, every requested scope granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  ttl: { Session: 60, Interaction: 600, AuthorizationCode: 60, AccessToken: 300, IdToken: 300, Grant: 600 },
});

const signingKey = await jose.importJWK(jwks.keys[0], 'RS256');

async function resign(idToken, change) {
  const claims = jose.decodeJwt(idToken);
  change(claims);
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0].kid }).sign(signingKey);
}

async function readJson(ctx) {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return body ? JSON.parse(body) : {};
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/groups' && ctx.method === 'POST') {
    const b = await readJson(ctx);
    groups.set(String(b.email).toLowerCase(), b.groups ?? []);
    ctx.body = { ok: true };
    return;
  }
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    mode = (await readJson(ctx)).mode ?? 'normal';
    ctx.body = { ok: true, mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const issued = ctx.body.id_token;
    if (mode === 'wrong_audience') {
      ctx.body.id_token = await resign(issued, (c) => { c.aud = 'someone-else'; });
    } else if (mode === 'expired') {
      ctx.body.id_token = await resign(issued, (c) => { const now = Math.floor(Date.now() / 1000); c.iat = now - 1200; c.exp = now - 600; });
    } else if (mode === 'replay' && previousIdToken) {
      ctx.body.id_token = previousIdToken;
    }
    previousIdToken = issued;
  }
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`test OpenID provider listening at ${issuer}`);
});
