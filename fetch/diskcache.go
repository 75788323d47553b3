package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// DiskCacheOptions configure NewDiskCache.
type DiskCacheOptions struct {
	// TTL is how long a stored response is served after Response.Fetched.
	// Default 24h.
	TTL time.Duration
	// MaxBytes caps the body of a stored response: a larger one is not
	// written, and a file claiming a larger one is not read. Default
	// DefaultMaxBytes; pass the Client's Options.MaxBytes.
	MaxBytes int64
	// Now returns the current time; nil: time.Now. For tests.
	Now func() time.Time
}

// DefaultCacheTTL is the default DiskCacheOptions.TTL.
const DefaultCacheTTL = 24 * time.Hour

// NewDiskCache returns a Cache that keeps responses in files under dir,
// creating dir if needed, so that they outlive the process.
//
// A response is stored in one file named by the SHA-256 of its key (URL
// without fragment and Accept header), with its status, content type,
// requested and final URL, redirects, header, body and fetch time, and a
// CRC-32 of the whole. Files are written to a temporary file in the same
// folder and renamed into place, so readers, in this process or another,
// see a whole entry or none. An entry older than the TTL, a file that is
// truncated, corrupt, of another format or for another key, and a body over
// MaxBytes all read as a miss. Responses with status 5xx, 408 or 429 are
// not stored (they are usually transient). Expired entries are replaced
// when fetched again, not deleted.
//
// A DiskCache does not keep responses in memory: put it behind a memory
// cache with Layered, as badgebake does.
func NewDiskCache(dir string, opts DiskCacheOptions) (Cache, error) {
	if opts.TTL <= 0 {
		opts.TTL = DefaultCacheTTL
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &diskCache{dir: dir, opts: opts}, nil
}

type diskCache struct {
	dir  string
	opts DiskCacheOptions
}

// diskMagic starts every cache file; the digit is the format version.
const diskMagic = "badgebake-cache 1\n"

// diskEntry is the JSON header of a cache file; the body follows it.
type diskEntry struct {
	Key         string      `json:"key"`
	URL         string      `json:"url"`
	FinalURL    string      `json:"final_url"`
	Redirects   []string    `json:"redirects,omitempty"`
	Status      int         `json:"status"`
	ContentType string      `json:"content_type"`
	Header      http.Header `json:"header,omitempty"`
	Fetched     time.Time   `json:"fetched"`
	BodyLen     int64       `json:"body_len"`
}

// maxHeaderLen bounds the JSON header of a cache file.
const maxHeaderLen = 1 << 20

func (c *diskCache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(c.dir, name[:2], name)
}

// File layout: magic, uint32 header length, JSON header, body, uint32
// CRC-32 (IEEE) of everything before it. Integers are big-endian.

func (c *diskCache) Get(key string) (*Response, bool) {
	f, err := os.Open(c.path(key))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	size := fi.Size()
	if size < int64(len(diskMagic))+8 || size > int64(len(diskMagic))+8+maxHeaderLen+c.opts.MaxBytes {
		return nil, false
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, false
	}
	r, ok := decodeEntry(key, data, c.opts.MaxBytes)
	if !ok || !fresh(r.Fetched, c.opts.Now(), c.opts.TTL) {
		return nil, false
	}
	return r, true
}

// fresh reports whether a response fetched at fetched may still be served
// at now: younger than ttl, and not from the future (a clock turned back)
// by more than a minute.
func fresh(fetched, now time.Time, ttl time.Duration) bool {
	age := now.Sub(fetched)
	return age < ttl && age >= -time.Minute
}

// decodeEntry decodes an entry written by encodeEntry for key, with a body
// of at most maxBytes; anything else (truncated, corrupt, another format
// or key) is false.
func decodeEntry(key string, data []byte, maxBytes int64) (*Response, bool) {
	n := len(data)
	if n < len(diskMagic)+8 || !bytes.HasPrefix(data, []byte(diskMagic)) ||
		crc32.ChecksumIEEE(data[:n-4]) != binary.BigEndian.Uint32(data[n-4:]) {
		return nil, false
	}
	rest := data[len(diskMagic) : n-4]
	hl := int64(binary.BigEndian.Uint32(rest))
	rest = rest[4:]
	if hl > int64(len(rest)) || hl > maxHeaderLen {
		return nil, false
	}
	var e diskEntry
	if err := json.Unmarshal(rest[:hl], &e); err != nil {
		return nil, false
	}
	body := rest[hl:]
	if e.Key != key || e.BodyLen != int64(len(body)) || e.BodyLen > maxBytes || e.Status < 100 {
		return nil, false
	}
	return &Response{
		URL:         e.URL,
		FinalURL:    e.FinalURL,
		Redirects:   e.Redirects,
		Status:      e.Status,
		ContentType: e.ContentType,
		Header:      e.Header,
		Body:        body,
		Fetched:     e.Fetched,
	}, true
}

func (c *diskCache) Put(key string, r *Response) {
	if buf, ok := encodeEntry(key, r, c.opts.MaxBytes, c.opts.Now()); ok {
		_ = c.write(c.path(key), buf) // a cache that cannot write is only slower
	}
}

// encodeEntry encodes r, stored under key, as a cache file (or Redis
// value) holds it; a response with a zero Fetched is dated now. It is
// false for what is not stored: a transient status (5xx, 408, 429), a body
// over maxBytes, a header over maxHeaderLen.
func encodeEntry(key string, r *Response, maxBytes int64, now time.Time) ([]byte, bool) {
	if transient(r.Status) || int64(len(r.Body)) > maxBytes {
		return nil, false
	}
	fetched := r.Fetched
	if fetched.IsZero() {
		fetched = now
	}
	hdr, err := json.Marshal(diskEntry{
		Key: key, URL: r.URL, FinalURL: r.FinalURL, Redirects: r.Redirects, Status: r.Status,
		ContentType: r.ContentType, Header: r.Header, Fetched: fetched, BodyLen: int64(len(r.Body)),
	})
	if err != nil || len(hdr) > maxHeaderLen {
		return nil, false
	}
	buf := make([]byte, 0, len(diskMagic)+4+len(hdr)+len(r.Body)+4)
	buf = append(buf, diskMagic...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(hdr)))
	buf = append(buf, hdr...)
	buf = append(buf, r.Body...)
	buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return buf, true
}

// write stores data at path through a temporary file and a rename.
func (c *diskCache) write(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			tmp, err = os.CreateTemp(dir, ".tmp-*")
		}
	}
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// Layered returns a Cache that looks in front first, then in back, copying
// a hit from back into front; Put stores in both. Use it to put a memory
// cache in front of a disk cache:
//
//	Layered(NewMemoryCache(), disk)
func Layered(front, back Cache) Cache { return layered{front, back} }

type layered struct{ front, back Cache }

func (l layered) Get(key string) (*Response, bool) {
	if r, ok := l.front.Get(key); ok {
		return r, true
	}
	r, ok := l.back.Get(key)
	if ok {
		l.front.Put(key, r)
	}
	return r, ok
}

func (l layered) Put(key string, r *Response) {
	l.front.Put(key, r)
	l.back.Put(key, r)
}
