package validate_test

import (
	"strings"
	"testing"

	"shipshape/internal/apperr"
	"shipshape/internal/validate"
)

// problem runs check on a fresh Validator and returns the message for "f".
func problem(check func(v apperr.Validator)) string {
	v := apperr.Validator{}
	check(v)
	return v["f"]
}

func TestText(t *testing.T) {
	cases := []struct {
		name     string
		s        string
		min, max int
		want     string // "" means valid; otherwise a substring of the message
	}{
		{"Valid", "Ana Lima", 1, 100, ""},
		{"TrimmedLengthCounts", "  abc  ", 1, 3, ""},
		{"MultibyteCountsRunes", strings.Repeat("ç", 5), 1, 5, ""},
		{"EmptyAllowedWhenOptional", "", 0, 10, ""},
		{"ErrRequired", "", 1, 10, "is required"},
		{"ErrOnlySpaces", "   ", 1, 10, "is required"},
		{"ErrTooShort", "ab", 3, 10, "too short"},
		{"ErrTooLong", strings.Repeat("ç", 6), 1, 5, "at most 5"},
		{"ErrNUL", "a\x00b", 0, 10, "control characters"},
		{"ErrNewline", "a\nb", 0, 10, "control characters"},
		{"ErrTab", "a\tb", 0, 10, "control characters"},
		{"ErrC1Control", "a\u0085b", 0, 10, "control characters"},
		{"ErrInvalidUTF8", "a\xffb", 0, 10, "UTF-8"},
		{"ErrTruncatedUTF8", "ab\xc3", 0, 10, "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := problem(func(v apperr.Validator) { validate.Text(v, "f", c.s, c.min, c.max) })
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("Text(%q, %d, %d) problem = %q, want %q", c.s, c.min, c.max, got, c.want)
			}
		})
	}
}

func TestLongText(t *testing.T) {
	cases := []struct {
		name string
		s    string
		want string
	}{
		{"MarkdownWithNewlinesAndTabs", "# T\r\n\n\t- item\n", ""},
		{"Empty", "", ""},
		{"ExactlyMax", strings.Repeat("é", 20), ""},
		{"ErrTooLong", strings.Repeat("é", 21), "at most 20"},
		{"ErrNUL", "a\x00", "control characters"},
		{"ErrEscape", "\x1b[31mred", "control characters"},
		{"ErrInvalidUTF8", "\xff", "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := problem(func(v apperr.Validator) { validate.LongText(v, "f", c.s, 20) })
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("LongText(%q) problem = %q, want %q", c.s, got, c.want)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	valid := []string{
		"ana@example.com",
		"ana.lima+ship@mail.example.co.uk",
		"ANA@EXAMPLE.COM",
		"o'neil@example.ie",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", // 254 bytes
	}
	invalid := []string{
		"",
		"a@b",
		"x y@z.com",
		"ana",
		"@example.com",
		"ana@",
		"ana@@example.com",
		"ana@example.com.",
		"ana@.example.com",
		"Ana <ana@example.com>",
		"<ana@example.com>",
		"ana@example.com, bob@example.com",
		"ana\n@example.com",
		"ana@exa\xffmple.com",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", // 255 bytes
	}
	for _, s := range valid {
		if got := problem(func(v apperr.Validator) { validate.Email(v, "f", s) }); got != "" {
			t.Errorf("Email(%q) = %q, want valid", s, got)
		}
	}
	for _, s := range invalid {
		if got := problem(func(v apperr.Validator) { validate.Email(v, "f", s) }); got == "" {
			t.Errorf("Email(%q) accepted", s)
		}
	}
	if got := problem(func(v apperr.Validator) { validate.Email(v, "f", "") }); got != "is required" {
		t.Errorf("empty e-mail problem = %q, want \"is required\"", got)
	}
}

func TestSlug(t *testing.T) {
	valid := []string{"ab", "acme", "acme-2", "a1-b2-c3", "2fa", strings.Repeat("a", 40)}
	invalid := []string{"", "a", "A", "Acme", "../x", "a/b", "a--b", "-ab", "ab-", "a_b", "a b", "ação", "a.b", strings.Repeat("a", 41)}
	for _, s := range valid {
		if got := problem(func(v apperr.Validator) { validate.Slug(v, "f", s, 2, 40) }); got != "" {
			t.Errorf("Slug(%q) = %q, want valid", s, got)
		}
	}
	for _, s := range invalid {
		if got := problem(func(v apperr.Validator) { validate.Slug(v, "f", s, 2, 40) }); got == "" {
			t.Errorf("Slug(%q) accepted", s)
		}
	}
}

func TestFirstProblemPerFieldWins(t *testing.T) {
	v := apperr.Validator{}
	validate.Text(v, "name", "", 1, 10)
	validate.Text(v, "name", strings.Repeat("x", 20), 1, 10)
	if v["name"] != "is required" {
		t.Errorf("name problem = %q, want the first one", v["name"])
	}
}
