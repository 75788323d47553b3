// Package keyfile reads, writes and describes an issuer's signing key:
// the private key that signs Open Badges credentials, kept in a PEM file
// on disk (or in the BADGEBAKE_KEY environment variable, as CI systems
// pass secrets), and the public forms an issuer publishes so that
// verifiers can find it — a public JWK, a did:key, a did:web DID
// document, an Open Badges 2.0 CryptographicKey document.
//
// Three key types are made and read: Ed25519 (EdDSA; did:key "z6Mk…",
// the only key eddsa-rdfc-2022 Data Integrity proofs take), ECDSA P-256
// (ES256; did:key "zDn…") and RSA of 2048 bits or more (RS256; the key
// of Open Badges 2.0 signed assertions, and of VC-JWTs).
//
// A key file is PKCS#8 ("PRIVATE KEY"); the older PKCS#1 ("RSA PRIVATE
// KEY") and SEC 1 ("EC PRIVATE KEY") forms OpenSSL writes are read too.
// [Load] refuses a file that anyone but its owner may read or write, the
// way ssh does: a signing key others can read is no longer the issuer's.
//
// Private key material never appears in an error, a public document or a
// String: only [Key.PEM] writes it.
package keyfile
