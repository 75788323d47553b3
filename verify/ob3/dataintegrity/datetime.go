package dataintegrity

import "strings"

// validDateTime reports whether s is a valid xsd:dateTime (XML Schema 1.1
// Part 2): [-]YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm], with a year of four
// or more digits (no leading zero beyond four), real calendar days,
// 24:00:00 as the only hour-24 time, and a time zone within ±14:00.
// Go's time.Parse is not used because it accepts neither years beyond 9999
// nor 24:00:00, and is lenient about fraction digits.
func validDateTime(s string) bool {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	yearDigits := i - start
	if yearDigits < 4 || (yearDigits > 4 && s[start] == '0') {
		return false
	}
	// Only the year's value modulo 400 matters for leap years.
	year := 0
	for _, c := range s[start:i] {
		year = (year*10 + int(c-'0')) % 400
	}
	if neg {
		// XSD 1.1 counts a year 0000 (1 BCE), so a negative year is a leap
		// year when its absolute value is: divisibility by 4, 100 and 400
		// is the same for -y as for y. "-0000" is not a year.
		if year == 0 && strings.Trim(s[start:i], "0") == "" {
			return false
		}
	}
	rest := s[i:]
	// -MM-DDThh:mm:ss
	if len(rest) < 15 || rest[0] != '-' || rest[3] != '-' || rest[6] != 'T' || rest[9] != ':' || rest[12] != ':' {
		return false
	}
	month, ok1 := twoDigits(rest[1:3])
	day, ok2 := twoDigits(rest[4:6])
	hour, ok3 := twoDigits(rest[7:9])
	minute, ok4 := twoDigits(rest[10:12])
	second, ok5 := twoDigits(rest[13:15])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return false
	}
	if minute > 59 || second > 59 || hour > 24 {
		return false
	}
	rest = rest[15:]
	fractionNonZero := false
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && isDigit(rest[j]) {
			if rest[j] != '0' {
				fractionNonZero = true
			}
			j++
		}
		if j == 1 {
			return false
		}
		rest = rest[j:]
	}
	if hour == 24 && (minute != 0 || second != 0 || fractionNonZero) {
		return false
	}
	switch {
	case rest == "" || rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		tzh, ok1 := twoDigits(rest[1:3])
		tzm, ok2 := twoDigits(rest[4:6])
		return ok1 && ok2 && tzm <= 59 && (tzh < 14 || (tzh == 14 && tzm == 0))
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func twoDigits(s string) (int, bool) {
	if !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// daysIn is the number of days of month in a year given modulo 400.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
