// Package server is badgebake's HTTP service: a drop-in replacement for
// openbadges-validator-core's Flask server (same routes, same request
// fields, the same report JSON) that is safe to expose to the internet and
// shows people a badge card instead of a wall of JSON.
//
// # Routes
//
//   - GET / — the form: paste a URL, JSON or JWS, or upload a baked PNG or
//     SVG, with an optional expected recipient. ?url= pre-fills the data
//     field, as in the reference.
//   - POST /results — verify. The body is JSON ({"data": …, "profile": …};
//     data a string or, beyond the reference, the badge object; profile an
//     object or a JSON string), a form (data, profile), multipart/form-data
//     (data, image, profile; an uploaded image wins over data) or, as for
//     /unbake, the image itself with an image/* Content-Type. A client that
//     prefers application/json to text/html gets the report — exactly what
//     badgebake verify --json prints — with status 200 whatever the verdict,
//     as in the reference; the Badgebake-Verdict header says valid, invalid,
//     revoked or indeterminate (could not be checked). Everyone else gets an HTML page: the badge card (image, name,
//     issuer, recipient, dates, verdict), the messages, and the raw JSON.
//   - GET /results redirects to /.
//   - POST /unbake — an image (multipart field image, or the body with an
//     image/* Content-Type) → the object badgebake unbake --json prints; 422
//     when it carries no badge.
//   - GET /healthz — {"status": "ok"}; 503 once Drain or Shutdown was
//     called.
//   - GET /metrics — Prometheus text: requests by route and status, latency
//     histograms, verdicts, busy rejections, bodies being received and cut
//     off, fetch and cache counters.
//
// Errors the client can fix get 400 (nothing to verify, an empty body
// included; unreadable profile), 404 (no such route), 405 (another method),
// 408 (body too slow), 413 (body over Options.MaxUpload) or 415 (unknown
// Content-Type), with a message and a hint, as JSON ({"error", "hint",
// "status"}) for a JSON client or as a page.
//
// # Shutting down
//
// Drain turns /healthz to 503 so that a load balancer stops sending work;
// Shutdown also refuses new verifications and unbakes with 503 and
// Retry-After, and waits for those in progress. Neither closes a listener:
// clients meanwhile hear 503, not a refused connection.
//
// # Safety
//
// Request bodies are read into memory within MaxUpload and never written to
// disk (multipart parts are read one at a time; ParseMultipartForm, which
// spills to temporary files, is never used). A body is read, and parsed,
// before its request takes a verification slot, so a client sending slowly
// holds none; a body that delivers nothing for BodyTimeout, or is not in
// within BodyDeadline, is cut off with 408. The bodies in memory, being
// received or being verified, share one bound (MaxBodyMemory); a body that
// would pass it gets 503 with Retry-After. At most MaxConcurrent
// verifications run at once; one more gets 503 with Retry-After at once. A
// verification that runs past RequestTimeout gets 504. Pages are
// html/template output under a Content-Security-Policy that allows no script,
// only this server's stylesheet and data: images: badge images are inlined
// from the verifier's fetch cache, so a visitor's browser never fetches
// what a badge points at. Panics are logged and answered with 500.
//
// Browsers let scripts of other sites read the JSON answers only for the
// origins in Options.CORSOrigins (preflight requests are answered for
// them alone).
//
// Which addresses verification may fetch is the fetch client's business:
// give the Verifier a fetch.Client with a fetch.Guard (badgebake serve does
// unless --allow-private), and a bounded cache shared by every request.
package server
