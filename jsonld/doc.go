// Package jsonld gives badgebake's Open Badges verifiers JSON-LD processing
// that works offline: the context documents they need, embedded in the
// binary, and a document loader and processor on top of
// github.com/piprate/json-gold. For Open Badges 3.0 Data Integrity proofs it
// turns a credential into RDF quads in safe mode (Processor.ToRDF), ready
// for canonicalization by package rdfc.
//
// # Offline by design
//
// openbadges-validator-core bundles no contexts and fetches
// https://w3id.org/openbadges/v2 for every compaction, so a w3id.org or
// openbadgespec.org outage fails every badge. This package embeds the
// contexts the verifiers need instead:
//
//   - Open Badges 2.0: ContextV2, ContextV1 and ContextLegacyV1 (which v1
//     imports), and the official OB 2.0 extension contexts listed in
//     Extensions, each with the validation entries (obi:validation) the
//     verifier reads;
//   - Open Badges 3.0: ContextOB3 (3.0.3) and the earlier versions still
//     named by credentials issued under them (ContextOB3v300, v301, v302),
//     ContextOB3Extensions; Verifiable Credentials 2.0 and 1.1
//     (ContextCredentialsV2, ContextCredentialsV1) and the VC examples
//     context of the W3C test vectors; Data Integrity v1 and v2, the
//     Ed25519Signature2020 and X25519KeyAgreement2020 suites, Multikey;
//     Bitstring Status List and StatusList2021; DID v1; DCC v1.
//
// Each document is served under every URL it is published at. The OB 2.0
// contexts have two: the w3id.org URL and its openbadgespec.org mirror (e.g.
// https://openbadgespec.org/v2/context.json); the others one each. Both
// https:// and http:// forms are served. Other spellings (a trailing slash,
// a fragment) are not guessed at. IsEmbedded and EmbeddedURLs tell which
// URLs are served.
//
// A Loader serves the embedded documents and hands any other URL to its
// Fetcher; with a nil Fetcher it fails with an error wrapping ErrNotEmbedded,
// which survives json-gold's error wrapping (test it with errors.Is). Request
// contexts reach the Fetcher through Loader.WithContext or
// Processor.WithContext, which share the Loader's cache of fetched documents.
//
// The OB 2.0 files were written for badgebake from the term definitions of
// the Open Badges 2.0 and 1.1 specifications and the extension
// specifications; the OB 3.0, VC, security, status, DID and DCC files carry
// the term definitions of the published context documents in badgebake's
// own layout; the Multikey file was written from the Controlled Identifiers
// specification. Tests check that each one means exactly what the official
// copy means (same terms, same processed term definitions, scoped contexts
// included, same expansion and compaction of documents that use every
// term).
//
// # Work done once
//
// Each embedded document is parsed once per process and shared. json-gold
// can write into documents its loader returns (processing "@import" merges
// into the imported document), so every LoadDocument result is a deep copy.
//
// json-gold processes every context on every call, and compaction also
// builds an inverse context, which costs far more than the compaction itself.
// A Processor therefore keeps, per process, one processed active context
// (inverse included) per embedded context, and one per combination of
// embedded contexts a document's @context array starts with (VC 2.0 + OB
// 3.0.3, say; a bounded number of combinations). Compact into an embedded
// URL uses them, and so do Expand and ToRDF of a document whose @context
// starts with embedded URLs; whatever follows (an extension's context,
// nested contexts) is processed by json-gold on top, through the
// Processor's Loader. Results are identical to json-gold's own path (tests
// compare both). Compacting a single OB node into ContextV2 takes about
// 0.2 ms and 300 allocations instead of about 3 ms and 10,800; expansion
// about 0.05 ms instead of 0.45 ms.
//
// ToRDF also converts json-gold's node map to quads itself: json-gold's
// ToRDF runs a regular expression over every http(s) IRI of every
// statement, afresh for each document, which took about 40% of the time;
// badgebake applies the same check but remembers the IRIs that passed it.
// Lists, JSON literals and the like are left to json-gold. ToRDF of the
// 1EdTech OB 3.0 test vector credential takes about 0.45 ms of CPU, 180 kB
// and 1,130 allocations, against 0.9 ms, 330 kB and 2,140 on json-gold's
// own path (bench_test.go). Most of what remains is json-gold's expansion,
// which processes each type-scoped context (Achievement, Profile, ...) at
// every use.
//
// # Data Integrity and safe mode
//
// An eddsa-rdfc-2022 or Ed25519Signature2020 proof signs the canonical
// N-Quads of the credential, and JSON-LD drops from them any property that
// no @context defines (VC 2.0 has no @vocab). json-gold's Normalize expands
// without safe mode, so such a property can be added or changed without
// breaking the signature. Processor.ToRDF expands in safe mode and refuses
// the document with an UndefinedTermError naming the property; it also
// refuses a type that stays a relative IRI (which json-gold's safe mode
// lets through) and, with a DroppedValueError, whatever else JSON-LD to RDF
// would drop silently: a relative node id, an IRI json-gold's URL check
// refuses, an invalid language tag, a blank node property. json-gold panics on some malformed
// contexts (a non-boolean "@protected"): Expand, Compact and ToRDF return a
// PanicError instead.
//
// # The term-selection trap
//
// The v2 context has two terms for some IRIs: "hosted" and "HostedBadge",
// "signed" and "SignedBadge", "verify" and "verification", "revoked" and
// "revokedAssertions". When compacting, json-gold picks the shortest
// matching term, as the JSON-LD 1.1 algorithm says, while PyLD 0.7.1 (under
// openbadges-validator-core) picks the lexicographically least one. So for
// https://w3id.org/openbadges#HostedBadge this package produces "hosted"
// where the validator prints "HostedBadge" (and "signed" for "SignedBadge").
// Both produce "verification" for a node or IRI value of obi:verify and
// "revokedAssertions" for nodes in a revocation list; "verify" appears only
// for a literal value and "revoked" only for an xsd:boolean. The package does
// not change json-gold's choice: a verifier must compare expanded IRIs (or
// map the spellings) rather than test compacted values against the
// validator's strings.
//
// # Hostile contexts
//
// A badge names its contexts, and so does each remote context: a hostile
// issuer can make them name each other (A → B → A), chain new ones without
// end, or list thousands. json-gold v0.9.1 follows a cycle forever (its
// recursive-inclusion check never sees the contexts above it), so the
// Loader guards on its own side, per verification (per NewLoader or
// WithContext):
//
//   - before json-gold is given a remote context, the Loader follows the
//     contexts it names; one already on the way there is a
//     RecursiveContextError naming the chain, and a chain longer than
//     MaxContextDepth a ContextLimitError;
//   - at most MaxRemoteContexts distinct remote documents are loaded, at
//     most MaxContextLoads loads of any document (json-gold loads a context
//     each time it meets one) and at most MaxContextBytes of remote context
//     text in all, counted at every load (json-gold processes it again
//     each time), each a ContextLimitError past the limit;
//   - every load first looks at the verification's context, cached and
//     embedded documents included, so a cancelled or timed-out verification
//     stops at its next load with a CanceledError.
//
// # Other differences from the reference
//
// json-gold runs in JSON-LD 1.1 mode (its default) and treats a term as a
// compact-IRI prefix only if its IRI ends in a gen-delim character. The
// endorsement extension's "endorsement:/endorsedObject" therefore stays as
// it is, where a JSON-LD 1.0 processor would expand it to
// https://w3id.org/openbadges/extensions#Endorsement/endorsedObject.
package jsonld
