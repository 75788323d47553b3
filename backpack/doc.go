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
// A Client then uses a connection: Client.Push adds a badge through the
// API of its generation (an OB 2.0 assertion, signed or hosted, to Badge
// Connect; an OB 3.0 credential, JSON or VC-JWT, to the OB 3.0 API), and
// Client.List, Client.Profile and Client.AddEmail read and change what the
// backpack holds. The Client refreshes the access token when it has
// expired, and once more when the provider answers 401, keeping a rotated
// refresh token in the store at once; it waits for a throttled push as long
// as the provider asks, up to its MaxWait. The functions it is built on
// (Push, List, Profile, AddEmail) take an *http.Client that already
// carries a token, for callers who manage tokens themselves.
//
// OAuth is golang.org/x/oauth2, which implements PKCE and refresh, rather
// than code of our own. Secrets (tokens, authorization codes, client
// secrets) never appear in an error message or in a Connection's String.
package backpack
