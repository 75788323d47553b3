package ob3

import (
	"context"
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/fetch"
	"github.com/badgebake/badgebake/verify/ob2/obschema"
	"github.com/badgebake/badgebake/verify/ob3/ob3schema"
)

// NewSchemas returns the Schemas badgebake validates with: the built-in
// Open Badges 3.0 schemas (ob3schema), which also stand in for the
// official schema URLs a credentialSchema names, and any other schema
// fetched through client (nil: a client with its defaults), compiled
// once and bounded.
func NewSchemas(client *fetch.Client) Schemas {
	if client == nil {
		client = fetch.New(fetch.Options{})
	}
	s := &realSchemas{client: client}
	s.set = ob3schema.NewSet(s.fetchSchema)
	return s
}

type realSchemas struct {
	client *fetch.Client
	set    *ob3schema.Set
}

func (s *realSchemas) fetchSchema(ctx context.Context, url string) ([]byte, error) {
	return getBody(ctx, s.client, url, "application/schema+json, application/json")
}

func (s *realSchemas) Validate(_ context.Context, credential map[string]any) error {
	return ob3schema.Validate(credential)
}

func (s *realSchemas) ValidateCredentialSchema(ctx context.Context, schemaURL string, credential map[string]any) error {
	err := s.set.ValidateCredentialSchema(ctx, schemaURL, credential)
	if err == nil {
		return nil
	}
	var (
		invalid *ob3schema.Invalid
		dialect *ob3schema.UnsupportedDialectError
		fe      *fetch.Error
		ff      *fetchFailure
	)
	switch {
	case errors.As(err, &invalid) && invalid.CompactedFormPasses:
		// The 1EdTech validator does the same: a single proof, or a
		// VCDM 1.1 credential, fails the formal schema only for its form.
		return &CheckError{Check: CheckValidateCredentialSchema, Warning: true, Err: fmt.Errorf("%w (the compacted form the specification also allows passes)", err)}
	case errors.As(err, &dialect):
		return &CheckError{Check: CheckValidateCredentialSchema, Warning: true, Err: err}
	case errors.As(err, &fe), errors.As(err, &ff), errors.Is(err, obschema.ErrNotEmbedded):
		return &CheckError{Check: CheckValidateCredentialSchema, Unavailable: true, Err: err}
	}
	return err
}
