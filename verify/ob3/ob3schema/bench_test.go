package ob3schema

import "testing"

// BenchmarkValidate measures the built-in check on a typical credential
// (the 1EdTech simple.json) and on the complete example with every class
// and nested endorsements.
func BenchmarkValidate(b *testing.B) {
	for _, path := range []string{"1edtech/simple.json", "1edtech/complete.json"} {
		b.Run(path, func(b *testing.B) {
			c := fixture(b, path)
			if err := Validate(c); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = Validate(c)
			}
		})
	}
}
