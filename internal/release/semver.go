package release

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxVersionLen is the longest version string we accept.
const MaxVersionLen = 128

// maxCore caps each of major, minor and patch so that they fit the
// fixed-width sort key.
const maxCore = 999999999

// Version is a parsed SemVer 2.0.0 version.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // prerelease identifiers; empty for a release
	Build               []string // build metadata; ignored for precedence
}

// ParseVersion parses s strictly by SemVer 2.0.0 (https://semver.org): no
// leading "v", no leading zeros in numeric identifiers, identifiers of
// [0-9A-Za-z-] only, at most MaxVersionLen characters and each of major,
// minor and patch at most 999999999. The error says what is wrong.
func ParseVersion(s string) (Version, error) {
	var v Version
	if s == "" {
		return v, fmt.Errorf("is required")
	}
	if len(s) > MaxVersionLen {
		return v, fmt.Errorf("is too long (at most %d characters)", MaxVersionLen)
	}
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		ids, err := identifiers(rest[i+1:], "build metadata", false)
		if err != nil {
			return v, err
		}
		v.Build, rest = ids, rest[:i]
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		ids, err := identifiers(rest[i+1:], "prerelease", true)
		if err != nil {
			return v, err
		}
		v.Pre, rest = ids, rest[:i]
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("must be a SemVer version MAJOR.MINOR.PATCH such as 1.4.0 or 2.0.0-rc.1")
	}
	var core [3]uint64
	for i, p := range parts {
		name := [...]string{"major", "minor", "patch"}[i]
		n, err := numeric(p)
		if err != nil {
			return v, fmt.Errorf("must be a SemVer version such as 1.4.0: %s %s", name, err)
		}
		if n > maxCore {
			return v, fmt.Errorf("%s version is larger than %d", name, maxCore)
		}
		core[i] = n
	}
	v.Major, v.Minor, v.Patch = core[0], core[1], core[2]
	return v, nil
}

// numeric parses a numeric identifier: digits only, no leading zero.
func numeric(p string) (uint64, error) {
	if p == "" {
		return 0, fmt.Errorf("is empty")
	}
	if !allDigits(p) {
		return 0, fmt.Errorf("%q is not a number", p)
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", p)
	}
	n, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", p)
	}
	return n, nil
}

func identifiers(s, what string, noLeadingZero bool) ([]string, error) {
	ids := strings.Split(s, ".")
	for _, id := range ids {
		if id == "" {
			return nil, fmt.Errorf("has an empty %s identifier", what)
		}
		for i := 0; i < len(id); i++ {
			if !identChar(id[i]) {
				return nil, fmt.Errorf("%s identifier %q may contain only 0-9, A-Z, a-z and -", what, id)
			}
		}
		if noLeadingZero && len(id) > 1 && id[0] == '0' && allDigits(id) {
			return nil, fmt.Errorf("numeric %s identifier %q has a leading zero", what, id)
		}
	}
	return ids, nil
}

func identChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String is the canonical text of v (with build metadata).
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	if len(v.Build) > 0 {
		s += "+" + strings.Join(v.Build, ".")
	}
	return s
}

// Compare orders a and b by SemVer precedence (build metadata ignored):
// -1, 0 or +1. It follows the specification's rules directly; Key is
// tested against it.
func Compare(a, b Version) int {
	for _, d := range [][2]uint64{{a.Major, b.Major}, {a.Minor, b.Minor}, {a.Patch, b.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a.Pre) == 0 && len(b.Pre) == 0:
		return 0
	case len(a.Pre) == 0:
		return 1 // a release follows its prereleases
	case len(b.Pre) == 0:
		return -1
	}
	for i := 0; i < len(a.Pre) && i < len(b.Pre); i++ {
		x, y := a.Pre[i], b.Pre[i]
		xn, yn := allDigits(x), allDigits(y)
		switch {
		case xn && yn:
			if len(x) != len(y) { // no leading zeros: longer is larger
				return cmpInt(len(x), len(y))
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		case xn:
			return -1 // numeric identifiers sort before alphanumeric ones
		case yn:
			return 1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a.Pre), len(b.Pre))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Key encodes v's precedence as text whose byte order is SemVer order, so
// that the database can sort and page by it (ORDER BY version_key; the
// PostgreSQL column is COLLATE "C", SQLite compares bytes). Equal
// precedence gives equal keys: build metadata is left out.
//
// Layout: major, minor and patch as nine zero-padded digits separated by
// '.'; then '~' for a release, or '-' and the prerelease identifiers for
// a prerelease ('-' < '~', so prereleases come first). Each identifier is
// preceded by ',' — lower than every identifier character, so a shorter
// list and a shorter identifier sort first. A numeric identifier is 'N',
// its digit count in three digits, and its digits (no leading zeros, so
// count-then-digits is numeric order); an alphanumeric one is 'a' and its
// text ('N' < 'a': numeric before alphanumeric, and identifier text is
// compared in ASCII order as the specification says).
func (v Version) Key() string {
	var b strings.Builder
	b.Grow(32 + 2*len(v.Pre)*4)
	fmt.Fprintf(&b, "%09d.%09d.%09d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) == 0 {
		b.WriteByte('~')
		return b.String()
	}
	b.WriteByte('-')
	for _, id := range v.Pre {
		b.WriteByte(',')
		if allDigits(id) {
			fmt.Fprintf(&b, "N%03d%s", len(id), id)
		} else {
			b.WriteByte('a')
			b.WriteString(id)
		}
	}
	return b.String()
}
