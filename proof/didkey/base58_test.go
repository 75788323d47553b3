package didkey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestBase58(t *testing.T) {
	for _, c := range []struct{ hex, b58 string }{
		{"", ""},
		{"00", "1"},
		{"0000", "11"},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"516b6fcd0f", "ABnLTmg"},
		{"572e4794", "3EFU7m"},
		{"10c8511e", "Rt5zm"},
		{"00000000000000000000", "1111111111"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
		{"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
	} {
		b, _ := hex.DecodeString(c.hex)
		if got := encodeBase58(b); got != c.b58 {
			t.Errorf("encode %s = %q, want %q", c.hex, got, c.b58)
		}
		got, _, ok := decodeBase58(c.b58)
		if !ok || !bytes.Equal(got, b) {
			t.Errorf("decode %q = %x, %v, want %s", c.b58, got, ok, c.hex)
		}
	}
	for _, c := range []struct {
		s   string
		bad int
	}{{"0", 0}, {"abO", 2}, {"1I", 1}, {"zl", 1}, {"a b", 1}} {
		if _, i, ok := decodeBase58(c.s); ok || i != c.bad {
			t.Errorf("decode %q: ok=%v at %d, want failure at %d", c.s, ok, i, c.bad)
		}
	}
}

func TestDecodeBase58(t *testing.T) {
	b, err := DecodeBase58("1112")
	if err != nil || len(b) != 4 || b[3] != 1 || b[0] != 0 {
		t.Fatalf("DecodeBase58(1112) = %v, %v", b, err)
	}
	var e *Error
	if _, err := DecodeBase58("10O"); !errors.As(err, &e) || e.Reason != NotBase58btc {
		t.Fatalf("DecodeBase58(10O) error = %v", err)
	}
	if _, err := DecodeBase58(strings.Repeat("2", 200)); !errors.As(err, &e) || e.Reason != WrongKeyLength {
		t.Fatalf("DecodeBase58(long) error = %v", err)
	}
}
