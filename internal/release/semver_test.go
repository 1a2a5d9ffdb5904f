package release_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shipshape/internal/release"
)

func mustParse(t testing.TB, s string) release.Version {
	t.Helper()
	v, err := release.ParseVersion(s)
	if err != nil {
		t.Fatalf("ParseVersion(%q): %v", s, err)
	}
	return v
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestParseVersionAcceptsSemVer(t *testing.T) {
	for _, s := range []string{
		"0.0.0", "1.2.3", "10.20.30", "999999999.999999999.999999999",
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--",
		"1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD",
		"1.0.0-rc.1+build.5", "1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0-0A.is.legal", "1.0.0-alpha0.valid",
		"1.0.0-" + strings.Repeat("a", 122),
	} {
		v, err := release.ParseVersion(s)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", s, err)
			continue
		}
		if v.String() != s {
			t.Errorf("ParseVersion(%q).String() = %q", s, v.String())
		}
	}
}

func TestParseVersionRejects(t *testing.T) {
	for _, s := range []string{
		"", "1", "1.2", "1.2.3.4", "v1.2.3", " 1.2.3", "01.1.1", "1.01.1", "1.1.01", "1.2.3-0123", "1.2.3-0123.0",
		"1.2.3-", "1.2.3+", "1.2.3-alpha..1", "1.2.3-alpha.", "1.2.3+build..1", "1.2.3-al_pha", "1.2.3+bü",
		"1.2.3-+", "1.2.3-+123", "-1.2.3", "1.-2.3", "1.2.-3", "1.2.3-beta!", "1.2.3 ", "1.2", "a.b.c",
		"1000000000.0.0", "0.1000000000.0", "0.0.1000000000", "99999999999999999999.1.1",
		"1.0.0-" + strings.Repeat("a", 123), "1.2.3-a+b+c",
	} {
		if v, err := release.ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", s, v)
		}
	}
}

// TestKeyOrderFollowsSemVerPrecedence uses the example chain of
// semver.org §11 and a few of our own.
func TestKeyOrderFollowsSemVerPrecedence(t *testing.T) {
	chains := [][]string{
		{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"},
		{"1.9.0", "1.10.0", "2.0.0"},
		{"1.0.0", "2.0.0", "2.1.0", "2.1.1"},
		{"0.0.0-0", "0.0.0-1", "0.0.0-9", "0.0.0-10", "0.0.0-100", "0.0.0-A", "0.0.0-Z", "0.0.0-a", "0.0.0-a.0", "0.0.0-a-", "0.0.0-a0", "0.0.0-z", "0.0.0"},
		{"1.0.0-rc.1", "1.0.0-rc.1.1", "1.0.0-rc.1.a", "1.0.0-rc.2", "1.0.0-rc-1", "1.0.0-rc1", "1.0.0", "1.0.1-0", "1.0.1"},
		{"1.2.3-" + strings.Repeat("9", 50), "1.2.3-" + strings.Repeat("9", 51), "1.2.3-1" + strings.Repeat("0", 51)},
	}
	for _, chain := range chains {
		for i := 1; i < len(chain); i++ {
			a, b := mustParse(t, chain[i-1]), mustParse(t, chain[i])
			if release.Compare(a, b) != -1 || release.Compare(b, a) != 1 {
				t.Errorf("Compare(%s, %s) = %d, want -1", a, b, release.Compare(a, b))
			}
			if !(a.Key() < b.Key()) {
				t.Errorf("key(%s) = %q is not below key(%s) = %q", a, a.Key(), b, b.Key())
			}
		}
		// Sorting shuffled keys restores the chain.
		shuffled := slices.Clone(chain)
		rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		slices.SortFunc(shuffled, func(x, y string) int { return strings.Compare(mustParse(t, x).Key(), mustParse(t, y).Key()) })
		if !slices.Equal(shuffled, chain) {
			t.Errorf("sorted by key: %v, want %v", shuffled, chain)
		}
	}
}

func TestBuildMetadataDoesNotCount(t *testing.T) {
	a, b, c := mustParse(t, "1.0.0+a"), mustParse(t, "1.0.0+b"), mustParse(t, "1.0.0")
	if a.Key() != b.Key() || a.Key() != c.Key() || release.Compare(a, b) != 0 {
		t.Errorf("keys %q %q %q differ", a.Key(), b.Key(), c.Key())
	}
	if mustParse(t, "1.0.0-rc.1+x").Key() != mustParse(t, "1.0.0-rc.1").Key() {
		t.Error("prerelease with build metadata has its own key")
	}
}

// randomVersion builds a valid version from a small alphabet so that
// collisions and shared prefixes are common.
func randomVersion(r *rand.Rand) string {
	num := func() string {
		switch r.IntN(4) {
		case 0:
			return "0"
		case 1:
			return strconv.Itoa(r.IntN(12))
		case 2:
			return strconv.Itoa(r.IntN(200))
		}
		return strconv.Itoa(r.IntN(999999999) + 1)
	}
	ident := func() string {
		if r.IntN(2) == 0 {
			return num()
		}
		const chars = "-0189AZaz"
		var b strings.Builder
		for n := 1 + r.IntN(4); b.Len() < n; {
			b.WriteByte(chars[r.IntN(len(chars))])
		}
		s := b.String()
		if allDigits(s) {
			s += "x"
		}
		return s
	}
	small := func() string { return strconv.Itoa(r.IntN(3)) }
	s := small() + "." + small() + "." + small()
	if r.IntN(8) == 0 {
		s = num() + "." + num() + "." + num()
	}
	if r.IntN(4) != 0 {
		ids := make([]string, 1+r.IntN(4))
		for i := range ids {
			ids[i] = ident()
		}
		s += "-" + strings.Join(ids, ".")
	}
	if r.IntN(5) == 0 {
		s += "+b" + small()
	}
	return s
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// TestKeyOrderMatchesCompare is the property: for any two versions, the
// byte order of their keys is their SemVer precedence.
func TestKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		as, bs := randomVersion(r), randomVersion(r)
		a, b := mustParse(t, as), mustParse(t, bs)
		if got, want := sign(strings.Compare(a.Key(), b.Key())), release.Compare(a, b); got != want {
			t.Fatalf("%s vs %s: key order %d, Compare %d (keys %q, %q)", as, bs, got, want, a.Key(), b.Key())
		}
	}
}

func FuzzKeyOrder(f *testing.F) {
	for _, s := range [][2]string{{"1.0.0-alpha", "1.0.0-alpha.1"}, {"1.0.0-beta.11", "1.0.0-beta.2"}, {"1.0.0", "1.0.0-rc.1"},
		{"1.0.0-a-", "1.0.0-a.0"}, {"1.0.0+x", "1.0.0+y"}, {"2.0.0", "1.10.0"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, errA := release.ParseVersion(as)
		b, errB := release.ParseVersion(bs)
		if errA != nil || errB != nil {
			return
		}
		if got, want := sign(strings.Compare(a.Key(), b.Key())), release.Compare(a, b); got != want {
			t.Fatalf("%s vs %s: key order %d, Compare %d (keys %q, %q)", as, bs, got, want, a.Key(), b.Key())
		}
		if a.String() != as {
			t.Fatalf("round trip %q → %q", as, a.String())
		}
	})
}
