// Package dataintegrity checks and makes the embedded proofs of Open Badges
// 3.0 credentials: W3C Data Integrity proofs of type DataIntegrityProof with
// the cryptosuite eddsa-rdfc-2022 (and its pre-final name eddsa-2022), and
// the older Ed25519Signature2020 suite, which signs with the same algorithm.
//
// A proof signs two hashes joined together, the proof's first:
//
//	SHA-256(canonical proof configuration) ‖ SHA-256(canonical document)
//
// where the document is the credential without its "proof", the proof
// configuration is the proof without its "proofValue" and with the
// document's "@context", and "canonical" is the RDFC-1.0 N-Quads of the
// JSON-LD. The signature is Ed25519 over those 64 bytes, written in
// proofValue as multibase base58btc ("z…").
//
// The package does not canonicalize JSON-LD nor find keys itself: the
// caller gives it a [Canonicalizer] (JSON-LD expansion in safe mode, then
// RDFC-1.0) and a [KeyResolver]. That keeps the network, the context
// loader and the canonicalizer's work limits where they are configured.
//
// [Verify] accepts "proof" as one object or an array of them: any one
// proof that verifies makes the credential's integrity good, which is how
// the 1EdTech validator treats a proof set. Each proof's outcome is in the
// [Result]; when none verified, the error is [ErrNoProof] or the most telling
// per-proof failure as a *[ProofError]. [Sign] adds a proof.
//
// A proof that names others in previousProof (a proof chain) signs them
// too, and is verified so. Sign makes only set proofs.
//
// Not supported: other cryptosuites
// (ecdsa-rdfc-2019, eddsa-jcs-2022, ecdsa-sd-2023, bbs-2023) and the
// JWS-based suites (Ed25519Signature2018, RsaSignature2018), which are
// reported as unsupported.
package dataintegrity
