// Package bake embeds an Open Badges payload into a PNG or SVG image.
//
// [Bake] works at the level of PNG chunks and SVG bytes: pixels are never
// decoded and the SVG is never re-serialised, so everything except the badge
// carrier is copied byte for byte (PNG chunk data with io.Copy, which lets the
// kernel copy between files).
//
// The carrier follows from the payload's generation:
//
//   - PNG: one iTXt chunk, keyword "openbadges" (OB 0.5-2.0) or
//     "openbadgecredential" (OB 3.0), five zero header bytes, the UTF-8 text,
//     uncompressed, directly after IHDR. For a clean PNG the output is the
//     same, byte for byte, as the Mozilla and Python bakers'.
//   - SVG: an OB 2.0 assertion JSON goes in the body (CDATA) with its hosted
//     URL in verify; a URL or signed assertion in verify only; an OB 3.0
//     credential JSON in the body only; a VC-JWT in verify only.
//
// Every earlier badge carrier, of either generation and in any text chunk
// type or element, is removed: a baked image never carries two badges.
// Options.NoOverwrite refuses an already baked image instead.
//
// Before anything is read from the image, the payload goes through a
// [Validator]. The default one checks structure only ([payload.Payload.CheckStructure]);
// a verifier can be plugged in.
//
// Bake streams into dst. On an error dst may hold a partial image, so write
// to a temporary file and rename it into place on success (the badgebake
// command does).
package bake
