package png

import (
	"bytes"
	"compress/zlib"
	"reflect"
	"strings"
	"testing"
)

func zlibOf(s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func cat(parts ...string) []byte { return []byte(strings.Join(parts, "")) }

func TestParseText(t *testing.T) {
	url := "https://example.org/assertions/123"
	tests := []struct {
		name string
		typ  ChunkType
		data []byte
		want Text
	}{
		{"tEXt", TypeTEXt, cat("openbadges\x00", url),
			Text{Type: TypeTEXt, Keyword: "openbadges", Text: []byte(url)}},
		{"tEXt Latin-1 kept raw", TypeTEXt, []byte("Author\x00Andr\xe9"),
			Text{Type: TypeTEXt, Keyword: "Author", Text: []byte("Andr\xe9")}},
		{"tEXt empty text", TypeTEXt, []byte("k\x00"),
			Text{Type: TypeTEXt, Keyword: "k", Text: []byte{}}},
		{"zTXt", TypeZTXt, cat("openbadges\x00\x00", string(zlibOf(url))),
			Text{Type: TypeZTXt, Keyword: "openbadges", Compressed: true, Text: []byte(url)}},
		{"iTXt baker layout", TypeITXt, ITXtData("openbadgecredential", []byte("eyJ.eyJ.sig")),
			Text{Type: TypeITXt, Keyword: "openbadgecredential", Text: []byte("eyJ.eyJ.sig")}},
		{"iTXt language tag and translated keyword", TypeITXt, cat("openbadges\x00\x00\x00en\x00Open Badges \xc3\xa9\x00", url),
			Text{Type: TypeITXt, Keyword: "openbadges", LanguageTag: "en", TranslatedKeyword: "Open Badges é", Text: []byte(url)}},
		{"iTXt compressed", TypeITXt, cat("openbadges\x00\x01\x00\x00\x00", string(zlibOf(`{"a":"é"}`))),
			Text{Type: TypeITXt, Keyword: "openbadges", Compressed: true, Text: []byte(`{"a":"é"}`)}},
		{"iTXt uncompressed ignores method", TypeITXt, cat("k\x00\x00\x09\x00\x00", "t"),
			Text{Type: TypeITXt, Keyword: "k", Text: []byte("t")}},
		{"odd keyword tolerated", TypeTEXt, []byte(" two  spaces \x00v"),
			Text{Type: TypeTEXt, Keyword: " two  spaces ", Text: []byte("v")}},
		{"79-byte keyword", TypeTEXt, cat(strings.Repeat("k", 79), "\x00v"),
			Text{Type: TypeTEXt, Keyword: strings.Repeat("k", 79), Text: []byte("v")}},
	}
	for _, tt := range tests {
		got, err := ParseText(tt.typ, tt.data, 0)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, *got, tt.want)
		}
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name   string
		typ    ChunkType
		data   []byte
		want   error
		detail string
	}{
		{"not a text type", TypeIDAT, []byte("k\x00v"), ErrBadText, "not tEXt, zTXt or iTXt"},
		{"missing NUL", TypeTEXt, []byte("openbadges"), ErrBadText, "missing NUL separator after the keyword"},
		{"empty data", TypeITXt, nil, ErrBadText, "missing NUL separator after the keyword"},
		{"empty keyword", TypeTEXt, []byte("\x00text"), ErrBadText, "empty keyword"},
		{"80-byte keyword", TypeTEXt, cat(strings.Repeat("k", 80), "\x00v"), ErrBadText, "keyword is 80 bytes, longer than 79"},
		{"NUL in tEXt", TypeTEXt, []byte("k\x00a\x00b"), ErrBadText, "NUL byte inside the text at position 1"},
		{"zTXt missing method", TypeZTXt, []byte("k\x00"), ErrBadText, "missing compression method"},
		{"zTXt unknown method", TypeZTXt, cat("k\x00\x01", string(zlibOf("x"))), ErrBadText, "unknown compression method 1"},
		{"zTXt bad zlib", TypeZTXt, []byte("k\x00\x00not zlib"), ErrBadText, "bad zlib stream"},
		{"zTXt zlib checksum", TypeZTXt, func() []byte {
			z := zlibOf("hello")
			z[len(z)-1] ^= 1
			return cat("k\x00\x00", string(z))
		}(), ErrBadText, "bad zlib stream"},
		{"zTXt NUL after inflate", TypeZTXt, cat("k\x00\x00", string(zlibOf("a\x00b"))), ErrBadText, "NUL byte inside the text"},
		{"iTXt missing flag", TypeITXt, []byte("k\x00\x00"), ErrBadText, "missing compression flag or method"},
		{"iTXt flag 2", TypeITXt, []byte("k\x00\x02\x00\x00\x00t"), ErrBadText, "compression flag is 2, want 0 or 1"},
		{"iTXt unknown method", TypeITXt, cat("k\x00\x01\x01\x00\x00", string(zlibOf("t"))), ErrBadText, "unknown compression method 1"},
		{"iTXt missing language NUL", TypeITXt, []byte("k\x00\x00\x00en"), ErrBadText, "missing NUL separator after the language tag"},
		{"iTXt missing translated NUL", TypeITXt, []byte("k\x00\x00\x00en\x00K"), ErrBadText, "missing NUL separator after the translated keyword"},
		{"iTXt language not ASCII", TypeITXt, []byte("k\x00\x00\x00\xe9n\x00\x00t"), ErrBadText, "language tag is not ASCII (byte 0xe9 at position 0)"},
		{"iTXt translated keyword not UTF-8", TypeITXt, []byte("k\x00\x00\x00\x00Andr\xe9\x00t"), ErrBadText, "translated keyword is not valid UTF-8 (byte 0xe9 at position 4)"},
		{"iTXt text not UTF-8", TypeITXt, []byte("k\x00\x00\x00\x00\x00caf\xe9!"), ErrBadText, "text is not valid UTF-8 (byte 0xe9 at position 3)"},
		{"iTXt text is Latin-1 JSON", TypeITXt, []byte("k\x00\x00\x00\x00\x00{\"n\":\"SAFe\xae\"}"), ErrBadText, "not valid UTF-8"},
		{"iTXt NUL in text", TypeITXt, []byte("k\x00\x00\x00\x00\x00a\x00b"), ErrBadText, "NUL byte inside the text at position 1"},
		{"iTXt compressed not UTF-8", TypeITXt, cat("k\x00\x01\x00\x00\x00", string(zlibOf("\xff"))), ErrBadText, "not valid UTF-8"},
		{"iTXt compressed bad zlib", TypeITXt, []byte("k\x00\x01\x00\x00\x00\x78\x9c\xff\xff"), ErrBadText, "bad zlib stream"},
	}
	for _, tt := range tests {
		_, err := ParseText(tt.typ, tt.data, 0)
		fe := checkFormatError(t, err, tt.want, -1, tt.typ)
		if !strings.Contains(fe.Detail, tt.detail) {
			t.Errorf("%s: detail %q does not contain %q", tt.name, fe.Detail, tt.detail)
		}
	}
}

func TestParseTextCap(t *testing.T) {
	const limit = 100
	exact, over := strings.Repeat("a", limit), strings.Repeat("a", limit+1)
	for _, tt := range []struct {
		name string
		typ  ChunkType
		data func(text string) []byte
	}{
		{"tEXt", TypeTEXt, func(s string) []byte { return cat("k\x00", s) }},
		{"zTXt", TypeZTXt, func(s string) []byte { return cat("k\x00\x00", string(zlibOf(s))) }},
		{"iTXt", TypeITXt, func(s string) []byte { return ITXtData("k", []byte(s)) }},
		{"iTXt compressed", TypeITXt, func(s string) []byte { return cat("k\x00\x01\x00\x00\x00", string(zlibOf(s))) }},
	} {
		if got, err := ParseText(tt.typ, tt.data(exact), limit); err != nil || len(got.Text) != limit {
			t.Errorf("%s: text of exactly the cap: %v", tt.name, err)
		}
		_, err := ParseText(tt.typ, tt.data(over), limit)
		checkFormatError(t, err, ErrTextTooLarge, -1, tt.typ)
	}
}

// A real decompression bomb: 64 MiB of zeros in about 64 KiB of zlib. With a
// 1 MiB cap it must fail, and must not allocate anything like 64 MiB.
func TestParseTextBomb(t *testing.T) {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zeros)
	}
	zw.Close()
	bombs := map[ChunkType][]byte{
		TypeZTXt: cat("openbadges\x00\x00", z.String()),
		TypeITXt: cat("openbadges\x00\x01\x00\x00\x00", z.String()),
	}
	for typ, data := range bombs {
		var err error
		n := allocatedBy(func() { _, err = ParseText(typ, data, 1<<20) })
		fe := checkFormatError(t, err, ErrTextTooLarge, -1, typ)
		if fe.Detail != "text inflates to more than 1048576 bytes" {
			t.Errorf("%s: detail = %q", typ, fe.Detail)
		}
		if n > 4<<20 { // about 2 MiB is expected: a doubling buffer up to the cap
			t.Errorf("%s: inflating a 64 MiB bomb with a 1 MiB cap allocated %d bytes", typ, n)
		}
		t.Logf("%s bomb (%d compressed bytes): allocated %d bytes", typ, len(data), n)
	}
}

func TestKeyword(t *testing.T) {
	tests := []struct {
		data string
		want string
		ok   bool
	}{
		{"openbadges\x00\x00\x00\x00\x00https://x", "openbadges", true},
		{"openbadgecredential\x00rest", "openbadgecredential", true},
		{"openbadges", "", false},
		{"\x00text", "", false},
		{"", "", false},
		{strings.Repeat("k", 79) + "\x00", strings.Repeat("k", 79), true},
		{strings.Repeat("k", 80) + "\x00", "", false},
	}
	for _, tt := range tests {
		got, ok := Keyword([]byte(tt.data))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Keyword(%q) = %q, %v; want %q, %v", tt.data, got, ok, tt.want, tt.ok)
		}
	}
	// The OB2 keyword is a prefix of the OB3 one: matching must stop at NUL.
	if k, _ := Keyword([]byte("openbadgecredential\x00")); k == "openbadges" || k == "openbadge" {
		t.Error("keyword matched by prefix")
	}
}

func TestValidKeyword(t *testing.T) {
	valid := []string{"openbadges", "openbadgecredential", "XML:com.adobe.xmp", "Creation Time", "a", strings.Repeat("k", 79), "Andr\xe9", "\xa1\xff"}
	for _, k := range valid {
		if err := ValidKeyword(k); err != nil {
			t.Errorf("ValidKeyword(%q) = %v, want nil", k, err)
		}
	}
	invalid := map[string]string{
		"":                       "empty keyword",
		strings.Repeat("k", 80):  "keyword is 80 bytes, longer than 79",
		" lead":                  "starts with a space",
		"trail ":                 "ends with a space",
		"two  spaces":            "consecutive spaces",
		"tab\there":              "byte 0x09 at position 3",
		"nul\x00":                "byte 0x00",
		"del\x7f":                "byte 0x7f",
		"nbsp\xa0":               "byte 0xa0",
		"c1\x85":                 "byte 0x85",
		"Open Badges\n":          "byte 0x0a",
		"\xc3\xa9 is two Latin1": "",
	}
	for k, detail := range invalid {
		err := ValidKeyword(k)
		if detail == "" {
			// UTF-8 é is two printable Latin-1 bytes: valid as raw bytes.
			if err != nil {
				t.Errorf("ValidKeyword(%q) = %v, want nil", k, err)
			}
			continue
		}
		fe := checkFormatError(t, err, ErrBadText, -1, ChunkType{})
		if !strings.Contains(fe.Detail, detail) {
			t.Errorf("ValidKeyword(%q) detail %q, want it to contain %q", k, fe.Detail, detail)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	texts := []Text{
		{Type: TypeTEXt, Keyword: "openbadges", Text: []byte("https://example.org/assertion")},
		{Type: TypeTEXt, Keyword: "Author", Text: []byte("Andr\xe9")},
		{Type: TypeZTXt, Keyword: "Comment", Compressed: true, Text: []byte(strings.Repeat("zip ", 100))},
		{Type: TypeITXt, Keyword: "openbadgecredential", Text: []byte(`{"name":"Ünïcode"}`)},
		{Type: TypeITXt, Keyword: "openbadges", LanguageTag: "en-GB", TranslatedKeyword: "Offene Abzeichen", Text: []byte("x")},
		{Type: TypeITXt, Keyword: "openbadges", Compressed: true, Text: []byte(strings.Repeat("é", 1000))},
		{Type: TypeITXt, Keyword: "empty", Text: []byte{}},
	}
	for _, in := range texts {
		data, err := in.Encode()
		if err != nil {
			t.Errorf("Encode(%s %q): %v", in.Type, in.Keyword, err)
			continue
		}
		out, err := ParseText(in.Type, data, 0)
		if err != nil {
			t.Errorf("ParseText(Encode(%s %q)): %v", in.Type, in.Keyword, err)
			continue
		}
		if !reflect.DeepEqual(*out, in) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *out, in)
		}
	}
}

func TestEncodeZTXtIsAlwaysCompressed(t *testing.T) {
	data, err := (&Text{Type: TypeZTXt, Keyword: "k", Text: []byte("v")}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, cat("k\x00\x00", string(zlibOf("v")))) {
		t.Errorf("zTXt data = %q", data)
	}
}

func TestEncodeUncompressedITXtIsBakerLayout(t *testing.T) {
	data, err := (&Text{Type: TypeITXt, Keyword: "openbadges", Text: []byte("u")}).Encode()
	if err != nil || !bytes.Equal(data, ITXtData("openbadges", []byte("u"))) {
		t.Errorf("Encode = %q, %v; want the ITXtData layout", data, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		text   Text
		detail string
	}{
		{"bad keyword", Text{Type: TypeITXt, Keyword: " x"}, "starts with a space"},
		{"not a text type", Text{Type: TypeIDAT, Keyword: "k"}, "not tEXt, zTXt or iTXt"},
		{"compressed tEXt", Text{Type: TypeTEXt, Keyword: "k", Compressed: true}, "tEXt cannot be compressed"},
		{"NUL in tEXt", Text{Type: TypeTEXt, Keyword: "k", Text: []byte("a\x00")}, "NUL byte inside the text at position 1"},
		{"NUL in zTXt", Text{Type: TypeZTXt, Keyword: "k", Text: []byte("\x00")}, "NUL byte"},
		{"NUL in iTXt", Text{Type: TypeITXt, Keyword: "k", Text: []byte("\x00")}, "NUL byte"},
		{"language tag in tEXt", Text{Type: TypeTEXt, Keyword: "k", LanguageTag: "en"}, "only iTXt"},
		{"language tag not ASCII", Text{Type: TypeITXt, Keyword: "k", LanguageTag: "é"}, "language tag is not ASCII"},
		{"translated keyword not UTF-8", Text{Type: TypeITXt, Keyword: "k", TranslatedKeyword: "\xff"}, "translated keyword"},
		{"translated keyword with NUL", Text{Type: TypeITXt, Keyword: "k", TranslatedKeyword: "a\x00b"}, "translated keyword"},
		{"iTXt text not UTF-8", Text{Type: TypeITXt, Keyword: "k", Text: []byte("\xe9")}, "text is not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := tt.text.Encode()
		fe := checkFormatError(t, err, ErrBadText, -1, tt.text.Type)
		if !strings.Contains(fe.Detail, tt.detail) {
			t.Errorf("%s: detail %q does not contain %q", tt.name, fe.Detail, tt.detail)
		}
	}
}
