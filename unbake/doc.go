// Package unbake extracts the Open Badges payload an image carries.
//
// [Unbake] tells the format from the content, finds the badge carrier and
// returns the payload exactly as stored together with what carried it, the
// generation, the kind of payload and anything a careful reader should know
// (a legacy tEXt chunk, compression the specification forbids, a second
// badge that was ignored, a bad CRC accepted in lenient mode). It never
// touches the network: a hosted URL is returned as a URL, a JWS is not
// verified. Treat what it returns as untrusted until a verifier has checked
// it.
//
// Which carrier wins: the first in file order, as both baking specifications
// say. PNG: the first tEXt, zTXt or iTXt chunk whose keyword is "openbadges"
// (OB 0.5-2.0) or "openbadgecredential" (OB 3.0), wherever it sits (1EdTech's
// OB 3.0 samples put it after the image data). SVG: the first element
// "assertion" in http://openbadges.org or "credential" in
// https://purl.imsglobal.org/ob/v3p0, whatever prefix binds the namespace.
//
// SVG elements may carry a verify attribute and a body. The body is the
// payload when it is non-empty and classifiable (an OB 2.0 hosted bake puts
// the assertion JSON there and its URL in verify); otherwise the verify
// attribute is. For an OB 3.0 element a verify attribute (a VC-JWT) wins, as
// in 1EdTech's validator.
package unbake
