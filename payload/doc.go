// Package payload classifies the text an Open Badges image carries and checks
// its structure.
//
// A baked badge carries one of three kinds of text (see the baking
// specifications of Open Badges 2.0 and 3.0):
//
//   - a hosted assertion URL (OB 1.x/2.0 only; legacy PNGs carry nothing else),
//   - a JSON document: an OB 2.0 assertion, or an OB 3.0 credential with an
//     embedded proof,
//   - a compact JWS: an OB 2.0 signed assertion, or an OB 3.0 VC-JWT.
//
// [Parse] decides which, the way careful readers do: the trimmed text starting
// with "{" is JSON; three base64url segments whose first decodes to a JSON
// header with "alg" is a compact JWS; an absolute http(s) URL is a hosted
// reference. Anything else is refused with an error saying what was expected.
// The generation (OB 2.0 or OB 3.0) follows from the content: a W3C
// Verifiable Credentials or OB 3.0 context, or a VC type, means OB 3.0.
//
// [Payload.CheckStructure] is the structural check bake runs before writing
// when no verifier is configured: the fields each kind requires, nothing that
// needs the network. It never decides that a badge is valid; only a verifier
// can.
package payload
