// A real OpenID provider for the back office's sign-in tests: panva's oidc-provider (OpenID certified), on
// a loopback port, with the clients and accounts the test gives it. Started by tests/test_backoffice_oidc.py:
//
//   node tests/oidc_provider.mjs '{"port": 5123, "clients": [...], "accounts": {...}}'
//
// clients: [{client_id, client_secret, redirect_uri}], each a confidential web client of the code flow with
// client_secret_basic. accounts: account id -> the claims its ID token carries (email, email_verified); an id
// not listed gets <id>@example.test, verified. The development login form (any login, any password) is
// kept: the test fills it in over plain HTTP, as a browser would. Prints "ready <issuer>" once it listens.

import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${settings.port}`;
// A key of its own each run, rather than the library's fixed development key.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: settings.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: [client.redirect_uri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
  // Every authorization request must carry an S256 challenge: a client that forgot PKCE would fail here.
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'email'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The email scope's claims in the ID token itself, as Amazon Cognito sends them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['helpt-tests-only-not-a-secret'] },
  async findAccount(ctx, id) {
    const claims = settings.accounts[id] ?? { email: `${id}@example.test`, email_verified: true };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

createServer(provider.callback()).listen(settings.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
