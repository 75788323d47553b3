// Package statuslist reads W3C Bitstring Status Lists, the mechanism Open
// Badges 3.0 credentials use for revocation and suspension (it replaces
// 1EdTech's deprecated revocation list), and the older StatusList2021 lists
// that share its encoding.
//
// A credential names its status with a credentialStatus entry (ParseEntry):
// a purpose ("revocation", "suspension", "message"), an index given as a
// string of digits, the URL of a status list credential and, optionally, the
// width of each entry in bits (statusSize). The status list credential's
// credentialSubject carries encodedList: the multibase base64url ('u' prefix,
// no padding) form of the GZIP-compressed bitstring (Decode, FromCredential).
// Entry i occupies bits i·size to i·size+size-1, bit 0 being the most
// significant bit of the first byte (List.Status).
//
// Nothing here checks proofs or fetches anything: the verifier fetches the
// list credential, checks its proof and that its statusPurpose matches the
// entry's, then asks this package for the value.
//
// Decoding is defensive: the decompressed size is capped (DefaultMaxBytes
// unless the caller gives another cap) and counted as it is produced, so a
// small "gzip bomb" costs at most the cap in memory and time. A list shorter
// than the specification's minimum (MinBits) is still returned, together
// with a *ShortError, so a caller may choose to warn rather than fail.
package statuslist
