package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// render writes a diff compactly: " x" equal, "+x" insert, "-x" delete,
// with the line numbers, so a table row reads like a unified diff.
func render(ls []Line) string {
	var sb strings.Builder
	for _, l := range ls {
		mark := map[Op]string{Equal: " ", Insert: "+", Delete: "-"}[l.Op]
		fmt.Fprintf(&sb, "%s%d,%d:%s\n", mark, l.OldN, l.NewN, l.Text)
	}
	return sb.String()
}

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       string
	}{
		{"both empty", "", "", ""},
		{"empty to text", "", "a\nb\n", "+0,1:a\n+0,2:b\n"},
		{"text to empty", "a\nb", "", "-1,0:a\n-2,0:b\n"},
		{"identical", "a\nb\nc\n", "a\nb\nc\n", " 1,1:a\n 2,2:b\n 3,3:c\n"},
		{"insert in the middle", "a\nb\nc\n", "a\nb\nx\nc\n", " 1,1:a\n 2,2:b\n+0,3:x\n 3,4:c\n"},
		{"delete", "a\nb\nc\n", "a\nc\n", " 1,1:a\n-2,0:b\n 3,2:c\n"},
		{"replace", "a\nb\nc\n", "a\nB\nc\n", " 1,1:a\n-2,0:b\n+0,2:B\n 3,3:c\n"},
		{"replace several, deletes first", "a\nb\nc\nd\n", "a\nx\ny\nd\n", " 1,1:a\n-2,0:b\n-3,0:c\n+0,2:x\n+0,3:y\n 4,4:d\n"},
		{"CRLF is LF", "a\r\nb\r\n", "a\nb\n", " 1,1:a\n 2,2:b\n"},
		{"CRLF change", "a\r\nb\r\n", "a\r\nc\r\n", " 1,1:a\n-2,0:b\n+0,2:c\n"},
		{"no trailing newline", "a\nb", "a\nb\n", " 1,1:a\n 2,2:b\n"},
		{"no trailing newline, append", "a\nb", "a\nb\nc", " 1,1:a\n 2,2:b\n+0,3:c\n"},
		{"blank lines count", "a\n\nb\n", "a\nb\n", " 1,1:a\n-2,0:\n 3,2:b\n"},
		{"unicode", "Grüße\n日本語\n🚀 launch\n", "Grüße\n中文\n🚀 launch\n", " 1,1:Grüße\n-2,0:日本語\n+0,2:中文\n 3,3:🚀 launch\n"},
		{"move a line", "a\nb\nc\n", "b\nc\na\n", "-1,0:a\n 2,1:b\n 3,2:c\n+0,3:a\n"},
		{"nothing in common", "a\nb\n", "c\nd\n", "-1,0:a\n-2,0:b\n+0,1:c\n+0,2:d\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Lines(tc.a, tc.b)
			if r := render(got); r != tc.want {
				t.Errorf("Lines(%q, %q) =\n%s\nwant\n%s", tc.a, tc.b, r, tc.want)
			}
			check(t, tc.a, tc.b, got)
		})
	}
}

func TestStats(t *testing.T) {
	added, removed := Stats(Lines("a\nb\nc\n", "a\nx\ny\nc\nz\n"))
	if added != 3 || removed != 1 {
		t.Errorf("Stats = +%d -%d, want +3 -1", added, removed)
	}
}

// check verifies a diff of a and b: the old side replays a, the new side
// replays b, the Equal lines form a common subsequence (same text on both
// sides, increasing line numbers), and the numbering is consistent.
func check(t testing.TB, a, b string, ls []Line) {
	t.Helper()
	al, bl := splitLines(a), splitLines(b)
	var old, nu []string
	for _, l := range ls {
		switch l.Op {
		case Equal:
			if l.OldN != len(old)+1 || l.NewN != len(nu)+1 {
				t.Fatalf("equal line %+v out of step (old %d, new %d)", l, len(old), len(nu))
			}
			if al[l.OldN-1] != l.Text || bl[l.NewN-1] != l.Text {
				t.Fatalf("equal line %+v does not match both sides", l)
			}
			old, nu = append(old, l.Text), append(nu, l.Text)
		case Delete:
			if l.NewN != 0 || l.OldN != len(old)+1 {
				t.Fatalf("delete %+v out of step (old %d)", l, len(old))
			}
			old = append(old, l.Text)
		case Insert:
			if l.OldN != 0 || l.NewN != len(nu)+1 {
				t.Fatalf("insert %+v out of step (new %d)", l, len(nu))
			}
			nu = append(nu, l.Text)
		default:
			t.Fatalf("bad op %v", l.Op)
		}
	}
	if strings.Join(old, "\n") != strings.Join(al, "\n") || len(old) != len(al) {
		t.Fatalf("the old side does not replay a")
	}
	if strings.Join(nu, "\n") != strings.Join(bl, "\n") || len(nu) != len(bl) {
		t.Fatalf("applying the diff to a does not give b")
	}
}

// lcs is the length of a longest common subsequence of lines, by dynamic
// programming: the reference the Myers result must match when it is not
// cut short by the budget.
func lcs(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func equalCount(ls []Line) int {
	n := 0
	for _, l := range ls {
		if l.Op == Equal {
			n++
		}
	}
	return n
}

// randomText builds a text from a small alphabet of lines, so that random
// pairs share many lines and the search has real work to do.
func randomText(r *rand.Rand, n int) string {
	words := []string{"a", "b", "c", "d", "", "a", "e"}
	var sb strings.Builder
	for range n {
		sb.WriteString(words[r.IntN(len(words))])
		sb.WriteByte('\n')
	}
	return sb.String()
}

func TestLinesIsMinimalOnRandomPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		a, b := randomText(r, r.IntN(30)), randomText(r, r.IntN(30))
		got := Lines(a, b)
		check(t, a, b, got)
		if want := lcs(splitLines(a), splitLines(b)); equalCount(got) != want {
			t.Fatalf("case %d: %d equal lines, the longest common subsequence has %d\na=%q\nb=%q", i, equalCount(got), want, a, b)
		}
	}
}

func FuzzLines(f *testing.F) {
	f.Add("", "")
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add("a\r\nb", "a\nb\n")
	f.Add("x\n\n\ny\n", "\n\nx\ny")
	f.Add("héllo\nwörld\n", "wörld\nhéllo\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		ls := Lines(a, b)
		check(t, a, b, ls)
		added, removed := Stats(ls)
		if eq := equalCount(ls); eq+removed != len(splitLines(a)) || eq+added != len(splitLines(b)) {
			t.Fatalf("stats +%d -%d =%d do not add up", added, removed, eq)
		}
		// Hunks with any context cover every change exactly once.
		for _, ctx := range []int{0, 3} {
			changes := 0
			for _, h := range Hunks(ls, ctx) {
				for _, l := range h.Lines {
					if l.Op != Equal {
						changes++
					}
				}
			}
			if changes != added+removed {
				t.Fatalf("hunks (context %d) hold %d changes, want %d", ctx, changes, added+removed)
			}
		}
	})
}

// TestPathologicalPairFinishes: 20,000 distinct lines against 20,000 other
// distinct lines sharing every other line in shuffled order would need
// D ≈ 40,000 steps of O(D) work each; the budget makes it return quickly
// with a correct (if not minimal) diff.
func TestPathologicalPairFinishes(t *testing.T) {
	const n = 20_000
	r := rand.New(rand.NewPCG(3, 4))
	var a, b strings.Builder
	perm := r.Perm(n)
	for i := range n {
		fmt.Fprintf(&a, "old line %d\n", i)
		// Half the new lines also occur in the old text, in another order,
		// so the "nothing in common" shortcut does not apply.
		if i%2 == 0 {
			fmt.Fprintf(&b, "old line %d\n", perm[i])
		} else {
			fmt.Fprintf(&b, "new line %d\n", i)
		}
	}
	ls := Lines(a.String(), b.String())
	check(t, a.String(), b.String(), ls)

	// And two texts with nothing in common at all.
	var c strings.Builder
	for i := range n {
		fmt.Fprintf(&c, "other line %d\n", i)
	}
	ls = Lines(a.String(), c.String())
	check(t, a.String(), c.String(), ls)
	if added, removed := Stats(ls); added != n || removed != n {
		t.Errorf("disjoint texts: +%d -%d", added, removed)
	}
}

// TestLargeRealisticEditIsMinimal: a 200,000-character document with
// scattered edits stays well inside the budget, so the diff is exact.
func TestLargeRealisticEditIsMinimal(t *testing.T) {
	a, b := realisticPair(5000, 50)
	ls := Lines(a, b)
	check(t, a, b, ls)
	added, removed := Stats(ls)
	if added != 50 || removed != 50 {
		t.Errorf("Stats = +%d -%d, want +50 -50", added, removed)
	}
}

// realisticPair is a document of n lines and a copy with edits lines
// replaced at spread-out places.
func realisticPair(n, edits int) (string, string) {
	r := rand.New(rand.NewPCG(5, 6))
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("Paragraph %d: the release process requires %d reviewers and a signed-off threat model.", i, r.IntN(5))
	}
	a := strings.Join(lines, "\n") + "\n"
	for e := range edits {
		i := e*(n/edits) + r.IntN(n/edits)
		lines[i] = fmt.Sprintf("Edited paragraph %d: changed wording.", i)
	}
	return a, strings.Join(lines, "\n") + "\n"
}

func BenchmarkLines(b *testing.B) {
	x, y := realisticPair(5000, 50)
	b.SetBytes(int64(len(x) + len(y)))
	b.ReportAllocs()
	for b.Loop() {
		Lines(x, y)
	}
}

func TestHunks(t *testing.T) {
	var a, b []string
	for i := 1; i <= 30; i++ {
		a = append(a, fmt.Sprint(i))
		switch i {
		case 5:
			b = append(b, "five")
		case 9: // close to 5: the same hunk with context 3
			b = append(b, "nine")
		case 25:
			b = append(b, "twenty-five")
		default:
			b = append(b, fmt.Sprint(i))
		}
	}
	ls := Lines(strings.Join(a, "\n"), strings.Join(b, "\n"))
	hs := Hunks(ls, 3)
	if len(hs) != 2 {
		t.Fatalf("got %d hunks, want 2", len(hs))
	}
	h := hs[0]
	if h.Before != 1 || h.Header() != "@@ -2,11 +2,11 @@" || h.Lines[0].Text != "2" || h.Lines[len(h.Lines)-1].Text != "12" {
		t.Errorf("first hunk: before %d, %s, %q…%q", h.Before, h.Header(), h.Lines[0].Text, h.Lines[len(h.Lines)-1].Text)
	}
	h = hs[1]
	// Lines 13..21 are hidden between the hunks, 29..30 after the last.
	if h.Before != 9 || h.After != 2 || h.Header() != "@@ -22,7 +22,7 @@" {
		t.Errorf("second hunk: before %d after %d %s", h.Before, h.After, h.Header())
	}
	if hs[0].After != 0 {
		t.Errorf("only the last hunk has After")
	}

	if hs := Hunks(Lines("a\nb\n", "a\nb\n"), 3); len(hs) != 0 {
		t.Errorf("no changes gave %d hunks", len(hs))
	}
	// Inserting into an empty text: the old side is empty, numbered 0.
	if hs := Hunks(Lines("", "x\n"), 3); len(hs) != 1 || hs[0].Header() != "@@ -0,0 +1,1 @@" {
		t.Errorf("insert into empty: %+v", hs)
	}
	// Context 0: only the changed lines.
	if hs := Hunks(ls, 0); len(hs) != 3 || len(hs[0].Lines) != 2 || hs[0].Before != 4 {
		t.Errorf("context 0: %+v", hs)
	}
}
