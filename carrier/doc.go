// Package carrier is what the image formats and the Open Badges generations
// agree on: which format an input is (told by content, never by file name),
// how a source is opened for the package that reads that format, and which
// PNG keyword and SVG namespace carry each generation's badges.
//
// bake and unbake build on it; so does the verifier, to tell an image from
// a URL, JSON or a JWS.
package carrier
