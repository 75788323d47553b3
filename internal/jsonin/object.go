package jsonin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeObject parses exactly one JSON object with nothing after it, after
// CheckDepth; numbers are json.Number. A syntax error says where, by line
// and column.
func DecodeObject(b []byte) (map[string]any, error) {
	if err := CheckDepth(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, describeJSONError(b, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON object at byte %d", dec.InputOffset()+1)
	}
	if obj == nil {
		return nil, errors.New("the JSON value is null, not an object")
	}
	return obj, nil
}

// describeJSONError adds a line and column to encoding/json's offsets.
func describeJSONError(b []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		return fmt.Errorf("the JSON value is a %s, not an object", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends before the object is complete")
	}
	if off < 0 {
		return err
	}
	line, col := 1, 1
	for _, c := range b[:min(max(int(off)-1, 0), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("%v (line %d, column %d)", err, line, col)
}
