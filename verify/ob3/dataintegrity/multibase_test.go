package dataintegrity

import (
	"bytes"
	"strings"
	"testing"
)

func TestBase58RoundTrip(t *testing.T) {
	for _, b := range [][]byte{
		{},
		{0},
		{0, 0, 1},
		{57},
		{58},
		{0xff, 0xff},
		bytes.Repeat([]byte{0xff}, 64),
		append([]byte{0, 0}, bytes.Repeat([]byte{0x5a}, 62)...),
	} {
		s := encodeProofValue(b)
		got, ok := decodeBase58(s[1:])
		if !ok || !bytes.Equal(got, b) {
			t.Errorf("% x → %s → % x", b, s, got)
		}
	}
	// Known values: "1" is a zero byte, 57 is "z", 58 is "21".
	for s, want := range map[string][]byte{"z1": {0}, "zz": {57}, "z21": {58}, "z11": {0, 0}} {
		if got := encodeProofValue(want); got != s {
			t.Errorf("encode % x = %s, want %s", want, got, s)
		}
	}
}

func TestDecodeProofValue(t *testing.T) {
	sig := bytes.Repeat([]byte{0xab}, 64)
	pv := encodeProofValue(sig)
	if got, err := decodeProofValue(pv); err != nil || !bytes.Equal(got, sig) {
		t.Fatalf("%s: % x, %v", pv, got, err)
	}
	for _, bad := range []string{"", "z", "z0", "zO", "zI", "zl", "Z" + pv[1:], "u" + pv[1:], pv + "1", encodeProofValue(sig[:63]), "z" + strings.Repeat("z", 101)} {
		if _, err := decodeProofValue(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
