package svg

import "bytes"

// predefined are the entities every XML parser knows; declaring them again
// is allowed and harmless.
var predefined = map[string]bool{"lt": true, "gt": true, "amp": true, "apos": true, "quot": true}

// checkEntities refuses the document if the markup declaration doc[start:end]
// (a DOCTYPE, as tokenised by encoding/xml) declares general entities and
// any of them is referenced after it. Nothing is expanded or fetched.
// References inside comments or CDATA sections are refused as well: being
// conservative costs nothing here.
func checkEntities(doc []byte, start, end int) error {
	names := declaredEntities(doc[start:end])
	if len(names) == 0 {
		return nil
	}
	rest := doc[end:]
	for i := 0; i < len(rest); {
		j := bytes.IndexByte(rest[i:], '&')
		if j < 0 {
			break
		}
		k := i + j + 1
		n := k
		for n < len(rest) && isNameByte(rest[n]) {
			n++
		}
		if n < len(rest) && rest[n] == ';' && n > k && names[string(rest[k:n])] {
			return newError(ErrEntity, lineAt(doc, end+i+j),
				"entity &"+string(rest[k:n])+"; is not expanded (entities declared in the DOCTYPE are refused for safety)", nil)
		}
		i = n
	}
	return nil
}

// declaredEntities returns the general (not parameter) entities declared
// in the markup declaration d, quoted strings and comments skipped the way
// encoding/xml skips them.
func declaredEntities(d []byte) map[string]bool {
	var names map[string]bool
	for i := 0; i < len(d); {
		switch c := d[i]; {
		case c == '"' || c == '\'':
			j := bytes.IndexByte(d[i+1:], c)
			if j < 0 {
				return names
			}
			i += j + 2
		case bytes.HasPrefix(d[i:], []byte("<!--")):
			j := bytes.Index(d[i+4:], []byte("-->"))
			if j < 0 {
				return names
			}
			i += 4 + j + 3
		case bytes.HasPrefix(d[i:], []byte("<!ENTITY")):
			i = skipSpace(d, i+len("<!ENTITY"))
			if i < len(d) && d[i] == '%' {
				continue // parameter entity: only usable inside the DTD
			}
			n := i
			for n < len(d) && isNameByte(d[n]) {
				n++
			}
			if name := string(d[i:n]); name != "" && !predefined[name] {
				if names == nil {
					names = make(map[string]bool)
				}
				names[name] = true
			}
			i = n
		default:
			i++
		}
	}
	return names
}
