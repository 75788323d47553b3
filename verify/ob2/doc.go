// Package ob2 verifies Open Badges 2.0 (and, through upgrades, older) badges
// the way IMS Global's openbadges-validator-core does: the same checks, the
// same task names in the report, the same report shape, but with the
// reference's bugs fixed where the specification is clear (see
// docs/compatibility.md).
//
// A hosted badge is verified by following Assertion → BadgeClass → Issuer
// over HTTP, compacting every document into the Open Badges v2 JSON-LD
// context (offline: the contexts are embedded), validating each node's
// properties and value types, and running the class-level checks:
// timestamps, the hosted verification scope, images, criteria, recipient
// identity and, on request, the recipient profile.
//
// Objects typed Extension are validated against the JSON schemas their
// extension contexts name (extensions.go; the official extensions' schemas
// are embedded in package obschema). Endorsements, linked or embedded, are
// validated with their claims and endorsers, related links partially, and
// both are followed at most Options.MaxDepth links deep. An Endorsement
// can be the validation subject.
//
// The verifier never stops at the first problem: every finding becomes a
// message in the report.Result, and the Go error return is kept for "could
// not run at all".
package ob2
