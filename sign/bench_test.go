package sign_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/badgebake/badgebake/proof/keyfile"
	"github.com/badgebake/badgebake/sign"
)

// BenchmarkSign measures signing one credential and verifying the result
// (what a Signer does per badge), by format and key.
func BenchmarkSign(b *testing.B) {
	for _, c := range []struct {
		typ    keyfile.Type
		format sign.Format
	}{
		{keyfile.Ed25519, sign.FormatEdDSARDFC2022},
		{keyfile.Ed25519, sign.FormatVCJWT},
		{keyfile.P256, sign.FormatVCJWT},
	} {
		b.Run(fmt.Sprintf("%s/%s", c.format, c.typ), func(b *testing.B) {
			k := newKey(b, c.typ)
			did, _ := k.DIDKey()
			s, err := sign.New(k, sign.Options{Format: c.format})
			if err != nil {
				b.Fatal(err)
			}
			p := parse(b, credential(did))
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Sign(ctx, p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
