package backpack

import (
	"net/url"
	"testing"
)

func TestOrigin(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"https://B.example/ims/ob/v2p1", "https://b.example:443/other"},
		{"http://127.0.0.1:8080//ims", "http://127.0.0.1:8080/x"},
		{"http://b.example:80/", "http://b.example/"},
	} {
		a, _ := url.Parse(c.a)
		b, _ := url.Parse(c.b)
		if origin(a) != origin(b) {
			t.Errorf("origin(%s) = %s, origin(%s) = %s: want the same", c.a, origin(a), c.b, origin(b))
		}
	}
	for _, c := range []struct{ a, b string }{
		{"https://b.example/", "http://b.example/"},
		{"https://b.example/", "https://b.example:8443/"},
		{"https://b.example/", "https://evil.example/"},
		{"https://b.example/", "https://b.example.evil.example/"},
	} {
		a, _ := url.Parse(c.a)
		b, _ := url.Parse(c.b)
		if origin(a) == origin(b) {
			t.Errorf("origin(%s) = origin(%s) = %s: want them apart", c.a, c.b, origin(a))
		}
	}
}
