// Package validate holds the small input checks every domain shares: text
// length and content, e-mail addresses, slugs and keys.
package validate

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"shipshape/internal/apperr"
)

// Text checks a single-line human text: valid UTF-8, no control characters,
// between min and max characters after trimming. It records a problem in v.
func Text(v apperr.Validator, field, s string, min, max int) {
	if !utf8.ValidString(s) {
		v.Check(false, field, "must be valid UTF-8")
		return
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if min > 0 {
		v.Check(n > 0, field, "is required")
	}
	v.Check(n >= min, field, "is too short")
	v.Check(n <= max, field, "is too long (at most "+strconv.Itoa(max)+" characters)")
	v.Check(!strings.ContainsFunc(s, unicode.IsControl), field, "must not contain control characters")
}

// LongText checks a multi-line text such as a Markdown description.
func LongText(v apperr.Validator, field, s string, max int) {
	if !utf8.ValidString(s) {
		v.Check(false, field, "must be valid UTF-8")
		return
	}
	v.Check(utf8.RuneCountInString(s) <= max, field, "is too long (at most "+strconv.Itoa(max)+" characters)")
	v.Check(!strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	}), field, "must not contain control characters")
}

// Clip makes s valid UTF-8 and at most n bytes long, cutting on a rune
// boundary. It is for values we record but do not validate, such as a
// client's user agent.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Email checks an e-mail address (a bare address, at most 254 bytes).
func Email(v apperr.Validator, field, s string) {
	if s == "" {
		v.Check(false, field, "is required")
		return
	}
	a, err := mail.ParseAddress(s)
	ok := err == nil && a.Address == s && len(s) <= 254 && utf8.ValidString(s)
	if ok {
		_, domain, _ := strings.Cut(s, "@")
		ok = strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
	}
	v.Check(ok, field, "is not a valid e-mail address")
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Slug checks a URL-safe lower-case identifier: letters, digits, single dashes.
func Slug(v apperr.Validator, field, s string, min, max int) {
	if s == "" {
		v.Check(false, field, "is required")
		return
	}
	v.Check(len(s) >= min && len(s) <= max, field, "must be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" characters")
	v.Check(slugRE.MatchString(s), field, "may contain only lower-case letters, digits and single dashes between them")
}
