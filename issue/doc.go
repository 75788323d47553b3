// Package issue issues personalised baked badges in bulk: one credential
// per row of a CSV file, from a JSON template whose string values may hold
// {{.column}} placeholders. Each credential is filled in, checked, recorded
// in a ledger, signed, baked into a copy of an image, verified by
// badgebake's own verifier and only then written, atomically, to the
// output directory. A run that was interrupted is resumed by running it
// again: the ledger says which rows are done.
//
// The package knows neither keys nor storage: the caller brings a Signer
// (and a ListSigner for status lists) and a Ledger. Revoke and
// WriteStatusList publish revocations: a signed Bitstring status list for
// Open Badges 3.0, the issuer's revocation list JSON for hosted Open
// Badges 2.0 assertions.
package issue
