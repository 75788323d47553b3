// Package ob3 verifies Open Badges 3.0 credentials (W3C Verifiable
// Credentials: OpenBadgeCredential, AchievementCredential and
// EndorsementCredential, VCDM 2.0, and VCDM 1.1 for verification only),
// given as credential JSON, as a VC-JWT or as a URL serving either. It is
// the OB 3.0 generation of package verify: Verifier implements
// verify.Generation.
//
// The package runs the checks of the specification's verification
// algorithm in its order and reports each failing one as a message named
// after it:
//
//	PARSE_CREDENTIAL            the input is a credential (JSON object, JWT payload, "vc" claim);
//	                            for a URL, the credential could be fetched
//	VALIDATE_CONTEXT            @context: the VC base context first, an OB 3.0 context present
//	VALIDATE_TYPE               VerifiableCredential and an OB credential type
//	VALIDATE_SCHEMA             the built-in OB 3.0 JSON schemas (Schemas.Validate)
//	VALIDATE_CREDENTIAL_SCHEMA  each credentialSchema of type 1EdTechJsonSchemaValidator2019
//	VERIFY_PROOF                the VC-JWT signature or an embedded Data Integrity proof
//	RESOLVE_KEY, EXPAND_JSONLD  as the proof checker names its failures
//	CHECK_ISSUER                the signing key belongs to the issuer, and is authenticated
//	CHECK_REFRESH               refreshService of type 1EdTechCredentialRefresh, followed once
//	CHECK_STATUS                Bitstring / StatusList2021 status lists, 1EdTech revocation lists
//	CHECK_ISSUANCE              not yet valid (validFrom, issuanceDate, JWT nbf)
//	CHECK_EXPIRATION            expired (validUntil, expirationDate, JWT exp)
//	CHECK_RECIPIENT             the credential names the expected recipient
//	VERIFY_ENDORSEMENT          embedded endorsements (WARNING only)
//
// A revoked credential has report.StatusRevoked; a suspended one is
// invalid. A document the verdict depends on that cannot be fetched (a key,
// a status list, a schema, the credential's own URL) makes the result
// indeterminate rather than invalid.
//
// The cryptography and the schemas are not in this package: a Verifier is
// given a Proofs (Data Integrity, VC-JWT, key ownership) and a Schemas, and
// classifies their errors with CheckError. Without a Proofs no credential
// is ever valid: an unchecked proof is an ERROR, never silence.
//
// Status list credentials that verified are cached by the Verifier, per
// URL, for a few minutes and in bounded number, so that a batch of
// credentials sharing one list fetches and verifies it once.
package ob3
