// Package sign signs Open Badges credentials with an issuer's key, and
// checks what it signed with badgebake's own verifier before handing it
// back: nothing leaves a Signer that badgebake would not verify.
//
// An Open Badges 3.0 credential (JSON) is signed as a VC-JWT (alg from the
// key: EdDSA, ES256 or RS256; kid the verification method; iss, jti, nbf,
// exp and sub from the credential) or with an embedded Data Integrity
// proof, eddsa-rdfc-2022 (Ed25519 keys only), canonicalized by the very
// code the verifier hashes with. An Open Badges 2.0 assertion (JSON) is
// signed as a compact JWS (RS256) whose verification.creator is the URL
// of the issuer's CryptographicKey.
//
// Every member of the input is kept as it is: Data Integrity may append
// its context to @context, an OB 2.0 assertion gets verification.creator
// when it has none. Before signing, the input's structure is checked and
// the key is matched with the issuer: a did:key issuer must be the key's
// own DID, a did:web issuer must prefix the verification method, an https
// issuer must share its origin with it (*IssuerMismatchError otherwise).
//
// After signing, an OB 3.0 result goes through the Verifier (structure,
// context, type, schema, proof, issuer, dates); only its status is not
// checked, since the status list of a credential being issued is not
// published yet (its entries are read, the list is not consulted, and
// the verifier's findings about the list are kept in the report as INFO,
// unless the list already says the credential is revoked). An OB 2.0 signed assertion is checked locally — its
// signature with the key, its structure with payload.CheckStructure —
// because the documents an OB 2.0 verifier fetches (the CryptographicKey,
// the Issuer, the revocation list) are typically published together with
// the first badges, not before them. A result the verifier refuses is a
// *verify.RefusedError carrying the report.
//
// A Signer is safe for concurrent use: bulk issuing signs thousands of
// credentials with one.
package sign
