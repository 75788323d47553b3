// Package backpack connects badgebake to a backpack: a provider of the
// Open Badges 2.1 Badge Connect API, of the Open Badges 3.0 API, or of
// both. It finds the provider's endpoints (Discover), registers badgebake
// as an OAuth 2.0 client (Register, RFC 7591), runs the authorization code
// flow with PKCE S256 (NewAuthorization, ParseRedirect, Exchange), keeps
// the client credentials and tokens of each connection in a TokenStore
// (FileStore is the file implementation; a platform keeps them in its own
// database), refreshes them when they expire (Connection.TokenSource) and
// revokes them (Revoke, RFC 7009).
//
// OAuth is golang.org/x/oauth2, which implements PKCE and refresh, rather
// than code of our own. Secrets (tokens, authorization codes, client
// secrets) never appear in an error message or in a Connection's String.
package backpack
