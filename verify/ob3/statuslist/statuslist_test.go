package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func enc(b []byte) string { return "u" + base64.RawURLEncoding.EncodeToString(b) }

func TestRoundTrip(t *testing.T) {
	l := New(MinBits)
	rng := rand.New(rand.NewPCG(1, 2))
	set := map[int]bool{0: true, 7: true, 8: true, MinBits - 1: true}
	for range 200 {
		set[rng.IntN(MinBits)] = true
	}
	for i := range set {
		if err := l.Set(i, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	if l.Bytes()[0] != 0x81 || l.Bytes()[1]&0x80 == 0 || l.Bytes()[len(l.Bytes())-1]&1 == 0 {
		t.Fatalf("bits 0, 7, 8, %d not MSB-first: % x ... % x", MinBits-1, l.Bytes()[:2], l.Bytes()[len(l.Bytes())-1])
	}
	s, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "u") || strings.ContainsAny(s, "=+/") {
		t.Fatalf("encoding %.20q… is not multibase base64url without padding", s)
	}
	got, err := Decode(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range MinBits {
		v, err := got.Status(i, 1)
		if err != nil {
			t.Fatal(err)
		}
		if (v == 1) != set[i] {
			t.Fatalf("entry %d = %d after the round trip", i, v)
		}
	}
}

// The 1EdTech test list (ob3.md §10): 16,384 bytes with only bit 23 set,
// which is the revoked fixture's statusListIndex: bit 23 is the last bit of
// the third byte.
func TestIndex23(t *testing.T) {
	l := New(16384 * 8)
	if err := l.Set(23, 1, 1); err != nil {
		t.Fatal(err)
	}
	if l.Bytes()[2] != 0x01 {
		t.Fatalf("byte 2 = %#x, want 0x01", l.Bytes()[2])
	}
	for _, i := range []int{22, 23, 24} {
		v, _ := l.Status(i, 1)
		if (v == 1) != (i == 23) {
			t.Errorf("entry %d = %d", i, v)
		}
	}
}

func TestMultiBit(t *testing.T) {
	l := New(MinBits * 2)
	for _, c := range []struct {
		index, size int
		v           uint64
	}{{0, 2, 3}, {1, 2, 1}, {5, 3, 5}, {7, 64, 1<<63 | 5}, {MinBits - 1, 2, 2}} {
		if err := l.Set(c.index, c.size, c.v); err != nil {
			t.Fatal(err)
		}
		if got, err := l.Status(c.index, c.size); err != nil || got != c.v {
			t.Errorf("entry %d size %d = %d, %v; want %d", c.index, c.size, got, err, c.v)
		}
	}
	if l.Bytes()[0]>>4 != 0b1101 {
		t.Errorf("first nibble %04b, want 1101", l.Bytes()[0]>>4)
	}
	if err := l.Set(0, 2, 4); !isIndexErr(err) {
		t.Errorf("value 4 in 2 bits: %v", err)
	}
}

func isIndexErr(err error) bool {
	var ie *IndexError
	return errors.As(err, &ie)
}

func TestOutOfRange(t *testing.T) {
	l := New(MinBits)
	for _, c := range []struct{ index, size int }{
		{MinBits, 1}, {-1, 1}, {MinBits / 2, 2}, {0, 0}, {0, 65}, {1 << 62, 4}, {MinBits/64 - 1 + 1, 64},
	} {
		if _, err := l.Status(c.index, c.size); !isIndexErr(err) {
			t.Errorf("Status(%d, %d) = %v, want *IndexError", c.index, c.size, err)
		}
	}
	if _, err := l.Status(MinBits/64-1, 64); err != nil {
		t.Errorf("last 64-bit entry: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	full := make([]byte, MinBits/8)
	good := gz(t, full)
	tests := []struct {
		name string
		in   string
		max  int
		is   error
		as   any
	}{
		{"empty", "", 0, ErrMultibase, nil},
		{"base64 without prefix", base64.RawURLEncoding.EncodeToString(good), 0, ErrMultibase, nil},
		{"base58 prefix", "z" + base64.RawURLEncoding.EncodeToString(good), 0, ErrMultibase, nil},
		{"padded", enc(good) + "==", 0, ErrBase64, nil},
		{"standard alphabet", "u" + base64.StdEncoding.EncodeToString(good) + "+/", 0, ErrBase64, nil},
		{"bad char", "u!!!!", 0, ErrBase64, nil},
		{"prefix only", "u", 0, ErrNotGzip, nil},
		{"not gzip", enc(full), 0, ErrNotGzip, nil},
		{"truncated gzip", enc(good[:len(good)-6]), 0, ErrNotGzip, nil},
		{"too large", enc(good), MinBits/8 - 1, nil, new(*TooLargeError)},
		{"too long before decoding", "u" + strings.Repeat("A", 4000), 1000, nil, new(*TooLargeError)},
		{"short", enc(gz(t, make([]byte, 100))), 0, nil, new(*ShortError)},
		{"zero length", enc(gz(t, nil)), 0, nil, new(*ShortError)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Decode(tc.in, tc.max)
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
			if tc.as != nil && !errors.As(err, tc.as) {
				t.Fatalf("err = %v, want %T", err, tc.as)
			}
			var short *ShortError
			if errors.As(err, &short) != (l != nil) {
				t.Fatalf("list %v with err %v: only a short list comes back with an error", l, err)
			}
		})
	}
	if l, err := Decode(enc(good), MinBits/8); err != nil || l.Len() != MinBits {
		t.Fatalf("exactly at the cap: %v", err)
	}
}

// bomb is 1 GiB of zeros as 1,024 concatenated GZIP members of 1 MiB each
// (about 1 MB in all, and cheap to build).
func bomb(t testing.TB) []byte {
	member := gz(t, make([]byte, 1<<20))
	return bytes.Repeat(member, 1024)
}

func TestBomb(t *testing.T) {
	b := bomb(t)
	const max = 1 << 20
	br := bytes.NewReader(b) // what is left unread tells how much was read
	_, err := gunzip(br, max)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Max != max {
		t.Fatalf("err = %v, want *TooLargeError", err)
	}
	// The cap is passed in the second member: only a few KiB of the ~1 MB
	// input may be read.
	if read := len(b) - br.Len(); read > 64<<10 {
		t.Errorf("read %d compressed bytes of %d before refusing", read, len(b))
	}

	// Through Decode, with a cap large enough that the bomb passes the
	// compressed-size check and reaches the decompressor.
	const capBytes = 4 << 20
	s := enc(b)
	if base64.RawURLEncoding.DecodedLen(len(s)-1) > capBytes {
		t.Fatalf("bomb of %d bytes would be refused before decompressing", len(b))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := Decode(s, capBytes); !errors.As(err, &tl) {
			t.Fatalf("err = %v, want *TooLargeError", err)
		}
	})
	runtime.ReadMemStats(&after)
	// AllocsPerRun runs the function twice (a warm-up and the run). Each
	// may hold the base64-decoded input and an output buffer that grows to
	// the cap (at most about twice it), plus gzip's own state; a decoder
	// that inflated the whole bomb would need 1 GiB.
	perRun := (after.TotalAlloc - before.TotalAlloc) / 2
	if limit := uint64(len(b) + 3*capBytes + 1<<20); perRun > limit {
		t.Errorf("Decode allocated %d bytes refusing a bomb, more than %d", perRun, limit)
	}
	// The output buffer's growths up to the cap, plus the base64 copy and
	// gzip's state.
	if allocs > 60 {
		t.Errorf("Decode allocated %v times refusing a bomb", allocs)
	}
	t.Logf("bomb: %d compressed bytes; Decode: %d bytes, %v allocations", len(b), perRun, allocs)
}

func FuzzDecode(f *testing.F) {
	l := New(MinBits)
	l.Set(3, 1, 1)
	s, _ := l.Encode()
	f.Add(s, 0)
	f.Add(enc(gz(f, make([]byte, 5000))), 1000)
	f.Add("u", 0)
	f.Add("uH4sI", 10)
	f.Fuzz(func(t *testing.T, in string, max int) {
		max %= 1 << 20
		l, err := Decode(in, max)
		if l == nil {
			return
		}
		want := max
		if want <= 0 {
			want = DefaultMaxBytes
		}
		if len(l.Bytes()) > want {
			t.Fatalf("decoded %d bytes past the cap %d (err %v)", len(l.Bytes()), want, err)
		}
		if _, err := l.Status(l.Len()-1, 1); l.Len() > 0 && err != nil {
			t.Fatal(err)
		}
	})
}
