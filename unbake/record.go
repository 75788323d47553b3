package unbake

import (
	"errors"
	"os"
)

// Record is the JSON form of one image's unbake outcome: what
// `badgebake unbake --json` prints per image and what the HTTP service's
// POST /unbake returns. Exactly one of Payload and Error is set.
type Record struct {
	File       string   `json:"file"`
	Format     string   `json:"format,omitempty"`
	Carrier    *Carrier `json:"carrier,omitempty"`
	Generation string   `json:"generation,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Payload    *string  `json:"payload,omitempty"`
	Warnings   []string `json:"warnings"`
	Error      string   `json:"error,omitempty"`
}

// NewRecord builds the Record of file from Unbake's result and error.
func NewRecord(file string, res *Result, err error) Record {
	rec := Record{File: file, Warnings: []string{}}
	if res != nil {
		c := res.Carrier
		rec.Format, rec.Carrier, rec.Generation, rec.Kind = string(res.Format), &c, string(res.Generation), string(res.Kind)
		p := res.Payload
		rec.Payload = &p
		if res.Warnings != nil {
			rec.Warnings = res.Warnings
		}
	}
	if err != nil {
		// An *os.PathError already names the file; others are shown as is.
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			rec.Error = pathErr.Error()
		} else {
			rec.Error = err.Error()
		}
	}
	return rec
}
