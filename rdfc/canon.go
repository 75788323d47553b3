package rdfc

import (
	"bytes"
	"crypto"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 for crypto.Hash
	"encoding/hex"
	"errors"
	"hash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/badgebake/badgebake/errkind"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxBlankNodes bounds the blank nodes of a dataset. A
	// credential has a handful; thousands mean something is wrong.
	DefaultMaxBlankNodes = 4096
	// DefaultMaxWork bounds the work of the Hash N-Degree Quads
	// algorithm, in the units Options.MaxWork describes. Datasets whose
	// blank nodes all have distinct neighbourhoods, as credentials do,
	// need none; the hardest non-poison W3C test (test044, 12 blank nodes
	// in two symmetric rings) needs 17,724; the W3C's 10-node clique
	// (test074) would need billions and is refused after this many, in a
	// few tens of milliseconds.
	DefaultMaxWork = 200_000
)

// Options bound the work of Canonicalize and choose its hash function. The
// zero value (and a nil *Options) means the defaults.
type Options struct {
	// MaxBlankNodes is the most blank nodes a dataset may have
	// (0: DefaultMaxBlankNodes).
	MaxBlankNodes int
	// MaxWork is the most work the Hash N-Degree Quads algorithm may do
	// before Canonicalize refuses the dataset with a *LimitError
	// (0: DefaultMaxWork). A call costs one unit plus one per quad that
	// mentions its blank node; a permutation examined costs one unit plus
	// one per blank node permuted plus one per two temporary identifiers
	// issued so far. So the limit bounds time (about 50–300 ns a unit),
	// not only the number of calls.
	MaxWork int
	// Hash is RDFC-1.0's hash algorithm parameter (0: SHA-256, which
	// eddsa-rdfc-2022 uses). SHA-384 is the other common choice.
	Hash crypto.Hash
}

func (o *Options) maxBlankNodes() int {
	if o == nil || o.MaxBlankNodes <= 0 {
		return DefaultMaxBlankNodes
	}
	return o.MaxBlankNodes
}

func (o *Options) maxWork() int {
	if o == nil || o.MaxWork <= 0 {
		return DefaultMaxWork
	}
	return o.MaxWork
}

func (o *Options) hash() crypto.Hash {
	if o == nil || o.Hash == 0 {
		return crypto.SHA256
	}
	return o.Hash
}

// Canonicalize returns the canonical N-Quads of the dataset quads: blank
// nodes relabelled _:c14n0, _:c14n1, … by RDFC-1.0, one "S P O [G] .\n"
// line per distinct quad, lines sorted by code point. A quad that is not
// an RDF statement is refused with a *QuadError, a dataset beyond the
// limits of opts with a *LimitError.
func Canonicalize(quads []Quad, opts *Options) ([]byte, error) {
	c, err := newCanon(quads, opts)
	if err != nil {
		return nil, err
	}
	defer c.release()
	if err := c.label(); err != nil {
		return nil, err
	}
	return c.output(), nil
}

// Labels returns the identifiers RDFC-1.0 issues: for each blank node
// label of quads, its canonical label ("c14n0", …), both without "_:".
func Labels(quads []Quad, opts *Options) (map[string]string, error) {
	c, err := newCanon(quads, opts)
	if err != nil {
		return nil, err
	}
	defer c.release()
	if err := c.label(); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(c.labels))
	for i, l := range c.labels {
		m[l] = "c14n" + strconv.Itoa(int(c.canonical[i]))
	}
	return m, nil
}

// iquad is a distinct input quad with, for each position holding a blank
// node, the node's index (-1 elsewhere).
type iquad struct {
	q  *Quad
	bn [4]int32
}

// canon is the canonicalization state. Blank nodes are numbered in the
// order they are met; their mention sets are kept in one slice (node n's
// is mentions[mentionStart[n]:mentionStart[n+1]]) and their first-degree
// hashes, in hex, in one buffer. A canon is pooled with its buffers.
type canon struct {
	alg          crypto.Hash
	hasher       hash.Hash
	hexLen       int
	quads        []iquad
	labels       []string // input label per node
	index        map[string]int32
	mentionStart []int32
	mentions     []int32
	hashes       []byte
	canonical    []int32 // canonical number per node, -1 until issued
	issued       int32
	work         int
	maxWork      int
	sum          []byte
	dup          []bool
	scratch      []*ndScratch // per recursion depth of Hash N-Degree Quads
	depth        int
	lines        lineSet
}

var canonPool sync.Pool

// A canon that grew beyond this many bytes of lines is not kept.
const maxPooledBuffer = 1 << 20

func newCanon(quads []Quad, opts *Options) (*canon, error) {
	alg := opts.hash()
	if !alg.Available() {
		return nil, errkind.Mark(errkind.Usage, errors.New("rdfc: hash function "+alg.String()+" is not available"))
	}
	c, _ := canonPool.Get().(*canon)
	if c == nil {
		c = &canon{index: make(map[string]int32)}
	}
	if c.alg != alg {
		c.alg, c.hasher, c.hexLen = alg, alg.New(), 2*alg.Size()
	}
	c.maxWork, c.work, c.issued = opts.maxWork(), 0, 0
	for i := range quads {
		if err := checkQuad(i, &quads[i]); err != nil {
			c.release()
			return nil, err
		}
	}
	// RDF datasets are sets: find repeated quads by sorting their lines.
	// Only repeats that mention blank nodes would change the hashes;
	// output drops the others.
	c.dup = slices.Grow(c.dup[:0], len(quads))[:len(quads)]
	clear(c.dup)
	c.lines.reset()
	for i := range quads {
		q := &quads[i]
		if q.Subject.Kind == BlankNode || q.Object.Kind == BlankNode || q.Graph.Kind == BlankNode {
			c.lines.buf = appendQuadTerms(c.lines.buf, *q)
			c.lines.end(int32(i))
		}
	}
	c.lines.sort()
	for i := 1; i < len(c.lines.spans); i++ {
		if c.lines.equal(i-1, i) {
			c.dup[c.lines.spans[i].quad] = true
		}
	}
	// Number the blank nodes and count the quads that mention each.
	maxNodes := opts.maxBlankNodes()
	c.mentionStart = append(c.mentionStart[:0], 0)
	for i := range quads {
		if c.dup[i] {
			continue
		}
		q := &quads[i]
		iq := iquad{q: q, bn: [4]int32{-1, -1, -1, -1}}
		for pos, t := range [4]*Term{&q.Subject, nil, &q.Object, &q.Graph} {
			if t == nil || t.Kind != BlankNode {
				continue
			}
			n, ok := c.index[t.Value]
			if !ok {
				if len(c.labels) >= maxNodes {
					c.release()
					return nil, &LimitError{Limit: limitBlankNodes, Max: maxNodes}
				}
				n = int32(len(c.labels))
				c.index[t.Value] = n
				c.labels = append(c.labels, t.Value)
				c.mentionStart = append(c.mentionStart, 0)
			}
			iq.bn[pos] = n
			// The mention set holds each quad once, even when the node
			// is in it twice.
			if !(pos > 0 && iq.bn[0] == n) && !(pos == 3 && iq.bn[2] == n) {
				c.mentionStart[n+1]++
			}
		}
		c.quads = append(c.quads, iq)
	}
	for n := 1; n < len(c.mentionStart); n++ {
		c.mentionStart[n] += c.mentionStart[n-1]
	}
	total := c.mentionStart[len(c.mentionStart)-1]
	c.mentions = slices.Grow(c.mentions[:0], int(total))[:total]
	fill := c.canonical[:0] // borrowed as the fill cursor per node
	fill = append(fill, c.mentionStart[:len(c.labels)]...)
	for qi := range c.quads {
		bn := &c.quads[qi].bn
		for pos, n := range bn {
			if n < 0 || (pos > 0 && bn[0] == n) || (pos == 3 && bn[2] == n) {
				continue
			}
			c.mentions[fill[n]] = int32(qi)
			fill[n]++
		}
	}
	c.canonical = fill
	for i := range c.canonical {
		c.canonical[i] = -1
	}
	c.hashes = slices.Grow(c.hashes[:0], len(c.labels)*c.hexLen)[:len(c.labels)*c.hexLen]
	return c, nil
}

// release returns c to the pool, dropping its references to the input.
func (c *canon) release() {
	clear(c.quads)
	c.quads = c.quads[:0]
	clear(c.labels)
	c.labels = c.labels[:0]
	clear(c.index)
	if len(c.scratch) > 64 { // a deep recursion's buffers are not kept
		clear(c.scratch[64:])
		c.scratch = c.scratch[:64]
	}
	if cap(c.lines.buf) > maxPooledBuffer || cap(c.quads) > maxPooledBuffer/32 {
		return
	}
	canonPool.Put(c)
}

func (c *canon) mentionSet(n int32) []int32 {
	return c.mentions[c.mentionStart[n]:c.mentionStart[n+1]]
}

func (c *canon) nodeHash(n int32) []byte {
	return c.hashes[int(n)*c.hexLen : int(n+1)*c.hexLen]
}

func checkQuad(i int, q *Quad) error {
	bad := func(reason string) error { return &QuadError{Index: i, Reason: reason} }
	if k := q.Subject.Kind; k != IRI && k != BlankNode {
		return bad("subject is not an IRI or a blank node")
	}
	if q.Predicate.Kind != IRI {
		return bad("predicate is not an IRI")
	}
	if k := q.Object.Kind; k != IRI && k != BlankNode && k != Literal {
		return bad("object is not an IRI, a blank node or a literal")
	}
	if k := q.Graph.Kind; k != None && k != IRI && k != BlankNode {
		return bad("graph name is not an IRI or a blank node")
	}
	for _, t := range [4]*Term{&q.Subject, &q.Predicate, &q.Object, &q.Graph} {
		switch t.Kind {
		case IRI:
			if !unambiguousIRI(t.Value) {
				return bad("IRI holds '>', a control character or bytes that are not UTF-8")
			}
		case BlankNode:
			if strings.ContainsFunc(t.Value, func(r rune) bool { return r <= ' ' }) {
				return bad("blank node label holds a space or a control character")
			}
		case Literal:
			if !utf8.ValidString(t.Value) {
				return bad("literal is not UTF-8")
			}
			if t.Language != "" {
				if !isLanguageTag(t.Language) {
					return bad("language tag holds other characters than letters, digits and '-'")
				}
			} else if !unambiguousIRI(t.Datatype) {
				return bad("datatype IRI holds '>', a control character or bytes that are not UTF-8")
			}
		}
	}
	return nil
}

// unambiguousIRI reports whether an IRI, written as it is between < and >
// as RDFC-1.0 says, leaves the N-Quads line unambiguous: otherwise two
// different datasets could have the same canonical bytes, and so share a
// signature.
func unambiguousIRI(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '>' || c < ' ' {
			return false
		}
	}
	return utf8.ValidString(s)
}

func isLanguageTag(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlpha(c) || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// label issues a canonical label to every blank node (RDFC-1.0 §4.4.3
// steps 3 to 5).
func (c *canon) label() error {
	n := int32(len(c.labels))
	// Step 3: first-degree hashes.
	for i := int32(0); i < n; i++ {
		c.hashFirstDegree(i)
	}
	// Steps 4 and 5 go through the hashes in code point order; a hash
	// shared by several nodes keeps them in the order they were met.
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if d := bytes.Compare(c.nodeHash(a), c.nodeHash(b)); d != 0 {
			return d
		}
		return int(a - b)
	})
	type group struct{ from, to int }
	var shared []group
	for from := 0; from < len(order); {
		to := from + 1
		for to < len(order) && bytes.Equal(c.nodeHash(order[to]), c.nodeHash(order[from])) {
			to++
		}
		if to-from == 1 {
			c.issueCanonical(order[from]) // step 4: a unique hash
		} else {
			shared = append(shared, group{from, to})
		}
		from = to
	}
	// Step 5: nodes sharing a first-degree hash are told apart by their
	// n-degree hashes.
	type result struct {
		hash   string
		issuer *issuer
	}
	for _, g := range shared {
		var results []result
		for _, n := range order[g.from:g.to] {
			if c.canonical[n] >= 0 {
				continue
			}
			temp := newIssuer(len(c.labels))
			temp.issue(n)
			h, iss, err := c.hashNDegree(n, temp)
			if err != nil {
				return err
			}
			results = append(results, result{h, iss})
		}
		slices.SortStableFunc(results, func(a, b result) int { return compareStrings(a.hash, b.hash) })
		for _, r := range results {
			for _, n := range r.issuer.order {
				if c.canonical[n] < 0 {
					c.issueCanonical(n)
				}
			}
		}
	}
	return nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *canon) issueCanonical(n int32) {
	c.canonical[n] = c.issued
	c.issued++
}

func appendCanonicalLabel(b []byte, id int32) []byte {
	b = append(b, "_:c14n"...)
	return strconv.AppendInt(b, int64(id), 10)
}

// Ways appendQuad writes blank nodes.
const (
	firstDegree = iota // the node hashed as _:a, the others _:z
	canonical          // canonical labels
)

// appendQuad appends q as an N-Quads line with its blank nodes written as
// mode says.
func (c *canon) appendQuad(b []byte, q *iquad, mode int, self int32) []byte {
	for pos, t := range [4]*Term{&q.q.Subject, &q.q.Predicate, &q.q.Object, &q.q.Graph} {
		if pos == 3 && t.Kind == None {
			break
		}
		if pos > 0 {
			b = append(b, ' ')
		}
		switch n := q.bn[pos]; {
		case n < 0:
			b = appendTerm(b, *t)
		case mode == canonical:
			b = appendCanonicalLabel(b, c.canonical[n])
		case n == self:
			b = append(b, "_:a"...)
		default:
			b = append(b, "_:z"...)
		}
	}
	return append(b, " .\n"...)
}

// hashFirstDegree is RDFC-1.0's Hash First Degree Quads: the hash of the
// sorted N-Quads of n's mention set, n written _:a and every other blank
// node _:z. It stores the hash in c.hashes.
func (c *canon) hashFirstDegree(n int32) {
	c.lines.reset()
	for _, qi := range c.mentionSet(n) {
		c.lines.buf = c.appendQuad(c.lines.buf, &c.quads[qi], firstDegree, n)
		c.lines.end(qi)
	}
	c.lines.sort()
	c.hasher.Reset()
	for _, l := range c.lines.spans {
		c.hasher.Write(c.lines.buf[l.from:l.to])
	}
	c.sum = c.hasher.Sum(c.sum[:0])
	hex.Encode(c.nodeHash(n), c.sum)
}

func (c *canon) hashBytes(data []byte) string {
	c.hasher.Reset()
	c.hasher.Write(data)
	c.sum = c.hasher.Sum(c.sum[:0])
	return hex.EncodeToString(c.sum)
}

// hashRelated is RDFC-1.0's Hash Related Blank Node: the hash of the
// position of related in quad, the predicate unless the position is the
// graph, and related's canonical, temporary or first-degree identity.
func (c *canon) hashRelated(related int32, q *iquad, iss *issuer, pos int, buf []byte) (string, []byte) {
	buf = append(buf[:0], "spog"[pos]) // s, o or g: position 1, the predicate, is never a blank node
	if pos != 3 {
		buf = appendTerm(buf, q.q.Predicate)
	}
	if l := c.canonical[related]; l >= 0 {
		buf = appendCanonicalLabel(buf, l)
	} else if id, ok := iss.lookup(related); ok {
		buf = appendTempID(buf, id)
	} else {
		buf = append(buf, c.nodeHash(related)...)
	}
	return c.hashBytes(buf), buf
}

func appendTempID(b []byte, id int) []byte {
	b = append(b, "_:b"...)
	return strconv.AppendInt(b, int64(id), 10)
}

// spend counts units of work (see Options.MaxWork) and fails once they
// exceed the limit.
func (c *canon) spend(units int) error {
	c.work += units
	if c.work > c.maxWork {
		return &LimitError{Limit: limitWork, Max: c.maxWork}
	}
	return nil
}

// hashNDegree is RDFC-1.0's Hash N-Degree Quads. iss is not modified: the
// issuer returned is a new one when identifiers were issued.
func (c *canon) hashNDegree(n int32, iss *issuer) (string, *issuer, error) {
	if err := c.spend(1 + len(c.mentionSet(n))); err != nil {
		return "", nil, err
	}
	// Each level of recursion has its own scratch buffers, kept in c.
	if c.depth == len(c.scratch) {
		c.scratch = append(c.scratch, new(ndScratch))
	}
	sc := c.scratch[c.depth]
	c.depth++
	defer func() { c.depth-- }()
	// Steps 1–3: the related blank nodes, by the hash of how they relate.
	rels, buf := sc.rels[:0], sc.buf
	defer func() { sc.rels, sc.buf = rels, buf }()
	for _, qi := range c.mentionSet(n) {
		q := &c.quads[qi]
		for _, pos := range [3]int{0, 2, 3} {
			r := q.bn[pos]
			if r < 0 || r == n {
				continue
			}
			var h string
			h, buf = c.hashRelated(r, q, iss, pos, buf)
			rels = append(rels, related{h, r})
		}
	}
	slices.SortFunc(rels, func(a, b related) int {
		if d := compareStrings(a.hash, b.hash); d != 0 {
			return d
		}
		return compareStrings(c.labels[a.node], c.labels[b.node])
	})
	// Step 5: for each related hash, the path through its nodes that
	// sorts first over all their orders.
	data, path, chosen, recursion, perm := sc.data[:0], sc.path[:0], sc.chosen[:0], sc.recursion[:0], sc.perm[:0]
	defer func() {
		sc.data, sc.path, sc.chosen, sc.recursion, sc.perm = data, path, chosen, recursion, perm
	}()
	for from := 0; from < len(rels); {
		to := from + 1
		for to < len(rels) && rels[to].hash == rels[from].hash {
			to++
		}
		data = append(data, rels[from].hash...)
		perm = perm[:0]
		for _, r := range rels[from:to] {
			perm = append(perm, r.node)
		}
		from = to
		chosen = chosen[:0]
		var chosenIssuer *issuer
		for more := true; more; more = nextPermutation(perm, c.labels) {
			if err := c.spend(1 + len(perm) + len(iss.order)/2); err != nil {
				return "", nil, err
			}
			copyIss := iss.clone()
			path = path[:0]
			recursion = recursion[:0]
			skip := false
			for _, r := range perm {
				if l := c.canonical[r]; l >= 0 {
					path = appendCanonicalLabel(path, l)
				} else {
					id, ok := copyIss.lookup(r)
					if !ok {
						recursion = append(recursion, r)
						id = copyIss.issue(r)
					}
					path = appendTempID(path, id)
				}
				if chosenIssuer != nil && worse(path, chosen) {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			for _, r := range recursion {
				h, resIss, err := c.hashNDegree(r, copyIss)
				if err != nil {
					return "", nil, err
				}
				id, _ := copyIss.lookup(r)
				path = appendTempID(path, id)
				path = append(path, '<')
				path = append(path, h...)
				path = append(path, '>')
				copyIss = resIss
				if chosenIssuer != nil && worse(path, chosen) {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			if chosenIssuer == nil || bytes.Compare(path, chosen) < 0 {
				chosen = append(chosen[:0], path...)
				chosenIssuer = copyIss
			}
		}
		data = append(data, chosen...)
		iss = chosenIssuer
	}
	return c.hashBytes(data), iss, nil
}

// worse reports whether path can no longer sort before chosen
// (RDFC-1.0 §4.8.3 steps 5.4.4.2 and 5.4.5.5).
func worse(path, chosen []byte) bool {
	return len(path) >= len(chosen) && bytes.Compare(path, chosen) > 0
}

// related is a blank node related to the one Hash N-Degree Quads hashes,
// and the hash of how it relates.
type related struct {
	hash string
	node int32
}

// ndScratch holds the buffers of one level of Hash N-Degree Quads.
type ndScratch struct {
	rels                    []related
	buf, data, path, chosen []byte
	recursion, perm         []int32
}

// nextPermutation rearranges p into the next permutation in the order of
// the nodes' labels and reports whether there was one; started from the
// sorted order it visits every distinct order once.
func nextPermutation(p []int32, labels []string) bool {
	less := func(a, b int32) bool { return labels[a] < labels[b] }
	i := len(p) - 2
	for i >= 0 && !less(p[i], p[i+1]) {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for !less(p[i], p[j]) {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}

// issuer issues temporary identifiers _:b0, _:b1, … in order. It is
// copied for every permutation, so it is a slice, scanned while short;
// past issuerScan identifiers a lookup table indexed by node is built
// (a slice, cheaper to build than a map).
type issuer struct {
	order []int32 // order[id] is the node issued id
	index []int32 // index[node] is its id + 1, 0 when none; nil while short
	nodes int     // number of blank nodes, the size of index
}

const issuerScan = 16

func newIssuer(nodes int) *issuer { return &issuer{nodes: nodes} }

func (s *issuer) lookup(n int32) (int, bool) {
	if len(s.order) <= issuerScan {
		for id, m := range s.order {
			if m == n {
				return id, true
			}
		}
		return 0, false
	}
	if s.index == nil {
		s.index = make([]int32, s.nodes)
		for id, m := range s.order {
			s.index[m] = int32(id) + 1
		}
	}
	id := s.index[n]
	return int(id) - 1, id > 0
}

func (s *issuer) issue(n int32) int {
	if id, ok := s.lookup(n); ok {
		return id
	}
	id := len(s.order)
	s.order = append(s.order, n)
	if s.index != nil {
		s.index[n] = int32(id) + 1
	}
	return id
}

func (s *issuer) clone() *issuer {
	return &issuer{order: slices.Clip(slices.Clone(s.order)), nodes: s.nodes}
}

// output writes the canonical N-Quads: each quad with canonical labels,
// sorted, repeats dropped.
func (c *canon) output() []byte {
	c.lines.reset()
	for qi := range c.quads {
		c.lines.buf = c.appendQuad(c.lines.buf, &c.quads[qi], canonical, -1)
		c.lines.end(int32(qi))
	}
	c.lines.sort()
	out := make([]byte, 0, len(c.lines.buf))
	for i, l := range c.lines.spans {
		if i > 0 && c.lines.equal(i-1, i) {
			continue
		}
		out = append(out, c.lines.buf[l.from:l.to]...)
	}
	return out
}

// lineSet collects lines in one buffer to sort them without allocating
// a string each.
type lineSet struct {
	buf   []byte
	spans []span
	start int
}

// span is a line of a lineSet and the index of the quad it was made from.
type span struct {
	from, to int
	quad     int32
}

func (l *lineSet) reset() {
	l.buf = l.buf[:0]
	l.spans = l.spans[:0]
	l.start = 0
}

// end closes the line written to buf since the previous end.
func (l *lineSet) end(quad int32) {
	l.spans = append(l.spans, span{l.start, len(l.buf), quad})
	l.start = len(l.buf)
}

// sort sorts the lines by code point (UTF-8 byte order is code point
// order), equal lines by quad index.
func (l *lineSet) sort() {
	slices.SortFunc(l.spans, func(a, b span) int {
		if d := bytes.Compare(l.buf[a.from:a.to], l.buf[b.from:b.to]); d != 0 {
			return d
		}
		return int(a.quad - b.quad)
	})
}

func (l *lineSet) equal(i, j int) bool {
	a, b := l.spans[i], l.spans[j]
	return bytes.Equal(l.buf[a.from:a.to], l.buf[b.from:b.to])
}
