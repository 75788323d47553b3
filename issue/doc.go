// Package issue issues personalised baked badges in bulk: one credential
// per row of a CSV file, from a JSON template whose string values may hold
// {{.column}} placeholders. Each credential is filled in, checked, recorded
// in a ledger, signed, baked into a copy of an image, verified by
// badgebake's own verifier and only then written, atomically, to the
// output directory as <row key>.png or .svg. A run that was interrupted is
// resumed by running it again: the ledger says which rows are done, and
// an image written before the interruption is not signed again.
//
// The package knows neither keys nor storage: the caller brings a Signer
// (and a ListSigner for status lists) and a Ledger. Revoke and
// WriteStatusList publish revocations: a signed Bitstring status list for
// Open Badges 3.0, the issuer's revocation list for hosted Open Badges
// 2.0 assertions.
//
// # Templates
//
// An Open Badges 3.0 template is an AchievementCredential without a proof.
// {{.id}} is a fresh urn:uuid (a column named id does not change it), the
// credential's id, which Run sets when the template has none; validFrom,
// when absent, is the time of issue. The email column names the recipient:
// each IdentityObject whose identityHash is {{.email}} holds it, or one is
// added.
//
//	{
//	  "@context": ["https://www.w3.org/ns/credentials/v2",
//	               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//	  "id": "{{.id}}",
//	  "type": ["VerifiableCredential", "AchievementCredential"],
//	  "issuer": {"id": "did:key:z6Mk…", "type": ["Profile"], "name": "Example Issuer"},
//	  "validFrom": "{{.date}}",
//	  "name": "Teamwork",
//	  "credentialSubject": {
//	    "type": ["AchievementSubject"],
//	    "identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
//	                    "hashed": false, "identityHash": "{{.email}}"}],
//	    "achievement": {"id": "https://example.org/achievements/teamwork",
//	                    "type": ["Achievement"], "name": "Teamwork",
//	                    "description": "Awarded to {{.name}}.",
//	                    "criteria": {"narrative": "Nominated by three peers."}}
//	  }
//	}
//
// # Hosted Open Badges 2.0
//
// With HostedOptions, the template is an OB 2.0 assertion whose badge
// embeds the BadgeClass, and the BadgeClass's issuer the Issuer, their ids
// under the base URL. Run writes what is to be published there:
//
//	OUT/r001.png                  the baked images, each carrying its assertion's URL
//	OUT/assertions/r001.json      BASE/assertions/r001.json, verification {"type": "hosted"}
//	OUT/badges/teamwork.json      the BadgeClass, at the path of its id
//	OUT/badges/teamwork.png       its image (the image baked into), unless it is elsewhere
//	OUT/issuer.json               the Issuer, at the path of its id
//	OUT/revocations.json          its revocationList (BASE/revocations.json unless named)
package issue
