package fetch

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzHostAddr: any URL host is judged without panicking; a host read as
// an address is one, a dotted-decimal quad reads as netip does, and an
// address refused in one spelling is refused in the IPv4-mapped one.
func FuzzHostAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "localhost", "a.localhost.",
		"::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "example.org", "0x", "1.2.3.4.5", "08.1.1.1", "4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		a, ok := hostAddr(host)
		if !ok {
			return
		}
		if !a.IsValid() {
			t.Fatalf("hostAddr(%q) = invalid address, true", host)
		}
		if p, err := netip.ParseAddr(host); err == nil && p.Is4() && strings.Count(host, ".") == 3 && a != p {
			t.Fatalf("hostAddr(%q) = %v, netip says %v", host, a, p)
		}
		if a.Is4() {
			c4, r4 := Classify(a)
			c6, r6 := Classify(netip.AddrFrom16(a.As16()))
			if r4 != r6 || c4 != c6 {
				t.Fatalf("%v: %q/%v, mapped %q/%v", a, c4, r4, c6, r6)
			}
		}
	})
}
