// A real OpenID Connect provider (the certified `oidc-provider` package) for the team
// sign-in tests. Listens on 127.0.0.1 only. Configuration comes from one JSON argument:
//   node server.mjs '{"port": 9000, "client_id": "...", "client_secret": "...",
//                     "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
//                     "accounts": {"ana@lab.org": "password", ...}}'
// Sign-in uses the package's built-in interaction pages (a login form, then consent is
// granted automatically for this one client); unknown accounts and wrong passwords are
// refused by `findAccount` and the password check below. Test-only: never deploy this.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${settings.port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
const accounts = settings.accounts;

const provider = new Provider(issuer, {
  clients: [{
    client_id: settings.client_id,
    client_secret: settings.client_secret,
    redirect_uris: [settings.redirect_uri],
    post_logout_redirect_uris: [settings.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  // Put the e-mail claim in the ID token: Streamlit reads the user from the ID token.
  conformIdTokenClaims: false,
  cookies: { keys: [settings.client_secret] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: id.split('@')[0] };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // Consent for this one test client is implied: grant what it asks for.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

// Check the password of the built-in login form before the package accepts the login.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path.startsWith('/interaction/')) {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const form = new URLSearchParams(raw);
    if (form.get('prompt') === 'login') {
      const login = form.get('login') || '';
      if (!Object.hasOwn(accounts, login) || accounts[login] !== form.get('password')) {
        ctx.status = 401;
        ctx.body = 'wrong e-mail or password';
        return;
      }
    }
    // The package falls back to an already-read body (see its selective_body.js).
    ctx.request.body = raw;
  }
  await next();
});

provider.on('server_error', (ctx, error) => { console.error('server_error', error); });
provider.listen(settings.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
