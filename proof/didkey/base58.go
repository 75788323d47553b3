package didkey

import "fmt"

// base58btc is the Bitcoin base58 alphabet: the digits and letters
// without 0, O, I and l.
const base58btc = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Digit maps a byte to its base58 value, or -1.
var base58Digit = func() [256]int8 {
	var d [256]int8
	for i := range d {
		d[i] = -1
	}
	for i := 0; i < len(base58btc); i++ {
		d[base58btc[i]] = int8(i)
	}
	return d
}()

// decodeBase58 reads s as a big-endian base-58 number, each leading '1'
// standing for one leading zero byte. On failure it returns the index of
// the first byte that is not a base58 digit.
func decodeBase58(s string) ([]byte, int, bool) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// Each base-58 digit carries log(58)/log(256) ≈ 0.733 bytes.
	buf := make([]byte, (len(s)-zeros)*733/1000+1)
	used := 0 // bytes of buf, counted from the end, that hold the number
	for i := zeros; i < len(s); i++ {
		d := base58Digit[s[i]]
		if d < 0 {
			return nil, i, false
		}
		// buf = buf*58 + d
		carry := int(d)
		j := 0
		for k := len(buf) - 1; k >= 0 && (carry != 0 || j < used); k-- {
			carry += 58 * int(buf[k])
			buf[k] = byte(carry)
			carry >>= 8
			j++
		}
		used = j
	}
	out := make([]byte, zeros+used)
	copy(out[zeros:], buf[len(buf)-used:])
	return out, 0, true
}

// encodeBase58 is the inverse of decodeBase58.
func encodeBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// Each byte needs log(256)/log(58) ≈ 1.366 digits.
	digits := make([]byte, (len(b)-zeros)*138/100+1)
	used := 0
	for _, v := range b[zeros:] {
		// digits = digits*256 + v, in base 58
		carry := int(v)
		j := 0
		for k := len(digits) - 1; k >= 0 && (carry != 0 || j < used); k-- {
			carry += 256 * int(digits[k])
			digits[k] = byte(carry % 58)
			carry /= 58
			j++
		}
		used = j
	}
	out := make([]byte, zeros+used)
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range digits[len(digits)-used:] {
		out[zeros+i] = base58btc[d]
	}
	return string(out)
}

// EncodeBase58 writes b as base58btc digits, without a multibase prefix
// (a multibase value is "z" followed by them).
func EncodeBase58(b []byte) string { return encodeBase58(b) }

// DecodeBase58 decodes s, base58btc digits without a multibase prefix (as
// in an Ed25519VerificationKey2018's publicKeyBase58). Like Parse it
// refuses text longer than any key (128 characters), base58 decoding being
// quadratic in the length. Errors are *Error.
func DecodeBase58(s string) ([]byte, error) {
	if len(s) > maxMultibase {
		return nil, &Error{Reason: WrongKeyLength, Detail: fmt.Sprintf("the base58 value takes %d characters, longer than any supported key (at most %d)", len(s), maxMultibase)}
	}
	b, bad, ok := decodeBase58(s)
	if !ok {
		return nil, &Error{Reason: NotBase58btc, Detail: fmt.Sprintf("character %q at position %d is not a base58btc digit", s[bad], bad)}
	}
	return b, nil
}
