// Package diff computes line diffs of two texts, such as two versions of a
// document, and groups them into hunks for display.
//
// Lines uses Myers' O(ND) algorithm in its linear-space form (the "middle
// snake" divide and conquer), on lines interned to integers. Documents are
// up to 200,000 characters, so the work is bounded: after a fixed budget of
// steps, whatever is still unsolved is shown as "all old lines removed, all
// new lines added". The result is then correct but not minimal; it never
// takes seconds or grows memory beyond O(lines).
package diff

import (
	"fmt"
	"strings"
)

// Op is what happened to a line.
type Op int

const (
	Equal  Op = iota // in both texts
	Insert           // only in the new text
	Delete           // only in the old text
)

func (o Op) String() string {
	switch o {
	case Equal:
		return "equal"
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Line is one line of a diff. OldN and NewN are 1-based line numbers in the
// old and new text; 0 where the line does not exist (OldN of an Insert,
// NewN of a Delete).
type Line struct {
	Op         Op
	OldN, NewN int
	Text       string // without the line end
}

// budget is how many steps (diagonal visits plus line comparisons) one
// Lines call may spend before it stops looking for a minimal diff. About
// 20 ms of work: realistic edits of the largest documents need a small
// fraction of it; pathological pairs (thousands of changed lines on both
// sides) use it up and get the coarse answer for what is left.
const budget = 8_000_000

// Lines returns the line diff that turns a into b. "\r\n" counts as "\n",
// and a missing newline at the end of either text is not a change.
// Within each changed region the deleted lines come before the inserted
// ones.
func Lines(a, b string) []Line {
	al, bl := splitLines(a), splitLines(b)
	ai, bi := intern(al, bl)
	w := &worker{budget: budget}
	w.diff(ai, bi, 0, 0)
	return w.lines(al, bl)
}

// splitLines cuts text into lines without their ends. An empty text has no
// lines; a final newline does not start another one.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// intern gives every distinct line a small integer, so that the algorithm
// compares integers instead of strings.
func intern(a, b []string) ([]int, []int) {
	ids := make(map[string]int, len(a))
	conv := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	return conv(a), conv(b)
}

// edit is one run of the script: n lines of op starting at old line x and
// new line y (0-based).
type edit struct {
	op   Op
	x, y int
	n    int
}

type worker struct {
	budget int
	script []edit
	v1, v2 []int // scratch for middleSnake, reused
}

func (w *worker) emit(op Op, x, y, n int) {
	if n == 0 {
		return
	}
	if k := len(w.script); k > 0 {
		last := &w.script[k-1]
		// Runs come in order, so a run of the same op continues the last one.
		if last.op == op && last.x+adv(op, last.n, true) == x && last.y+adv(op, last.n, false) == y {
			last.n += n
			return
		}
	}
	w.script = append(w.script, edit{op: op, x: x, y: y, n: n})
}

// adv is how far a run of n lines of op moves the old (old=true) or new
// position.
func adv(op Op, n int, old bool) int {
	switch {
	case op == Equal:
		return n
	case op == Delete && old, op == Insert && !old:
		return n
	}
	return 0
}

// diff appends the script turning a into b; x and y are the positions of
// a[0] and b[0] in the whole texts.
func (w *worker) diff(a, b []int, x, y int) {
	// Common prefix and suffix are equal without any search.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	w.emit(Equal, x, y, p)
	a, b, x, y = a[p:], b[p:], x+p, y+p
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	a, b = a[:len(a)-s], b[:len(b)-s]
	defer w.emit(Equal, x+len(a), y+len(b), s)

	switch {
	case len(a) == 0:
		w.emit(Insert, x, y, len(b))
		return
	case len(b) == 0:
		w.emit(Delete, x, y, len(a))
		return
	case len(a) == 1 || len(b) == 1 || !w.shareLine(a, b):
		// One line against several: the single line either matches one of
		// them or not; with no line in common nothing can match.
		w.small(a, b, x, y)
		return
	}
	sx, sy, ok := w.middleSnake(a, b)
	if !ok || (sx == 0 && sy == 0) || (sx == len(a) && sy == len(b)) {
		// Out of budget (the split guard cannot trigger for trimmed input,
		// but a wrong split must never loop).
		w.emit(Delete, x, y, len(a))
		w.emit(Insert, x+len(a), y, len(b))
		return
	}
	w.diff(a[:sx], b[:sy], x, y)
	w.diff(a[sx:], b[sy:], x+sx, y+sy)
}

// shareLine reports whether a and b have any line in common; when they do
// not, the diff is simply "delete a, insert b" and no search is needed.
// It costs len(a)+len(b) map operations, charged to the budget.
func (w *worker) shareLine(a, b []int) bool {
	w.budget -= len(a) + len(b)
	if len(a) > len(b) {
		a, b = b, a
	}
	seen := make(map[int]struct{}, len(a))
	for _, l := range a {
		seen[l] = struct{}{}
	}
	for _, l := range b {
		if _, ok := seen[l]; ok {
			return true
		}
	}
	return false
}

// small handles a pair where one side has a single line or the sides share
// no line: at most one line can match.
func (w *worker) small(a, b []int, x, y int) {
	if len(a) == 1 {
		for j, l := range b {
			if l == a[0] {
				w.emit(Insert, x, y, j)
				w.emit(Equal, x, y+j, 1)
				w.emit(Insert, x+1, y+j+1, len(b)-j-1)
				return
			}
		}
	} else if len(b) == 1 {
		for i, l := range a {
			if l == b[0] {
				w.emit(Delete, x, y, i)
				w.emit(Equal, x+i, y, 1)
				w.emit(Delete, x+i+1, y+1, len(a)-i-1)
				return
			}
		}
	}
	w.emit(Delete, x, y, len(a))
	w.emit(Insert, x+len(a), y, len(b))
}

// middleSnake finds a point (sx, sy) on an optimal edit path from (0,0) to
// (len(a), len(b)) by running Myers' greedy search from both ends until
// the paths overlap (Myers 1986, section 4b). ok is false when the budget
// ran out first. a and b must be non-empty.
func (w *worker) middleSnake(a, b []int) (sx, sy int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	off := maxD + 1 // v[off+k] holds diagonal k, which ranges over -maxD..maxD
	size := 2*maxD + 3
	if cap(w.v1) < size {
		w.v1, w.v2 = make([]int, size), make([]int, size)
	}
	v1, v2 := w.v1[:size], w.v2[:size]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	odd := delta%2 != 0
	// k1start..k1end and k2start..k2end skip diagonals that ran off the
	// grid, as in diff-match-patch's bisect.
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		w.budget -= 2*d + 2
		if w.budget < 0 {
			return 0, 0, false
		}
		// Forward path.
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k1
			start := x1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			w.budget -= x1 - start
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2 // ran off the right
			case y1 > m:
				k1start += 2 // ran off the bottom
			case odd:
				k2 := delta - k1
				if j := off + k2; j >= 0 && j < size && v2[j] != -1 {
					// Mirror the reverse path's x onto forward coordinates.
					if x2 := n - v2[j]; x1 >= x2 {
						return x1, y1, true
					}
				}
			}
		}
		// Reverse path: the same search on the reversed texts.
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k2
			start := x2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			w.budget -= x2 - start
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !odd:
				k1 := delta - k2
				if j := off + k1; j >= 0 && j < size && v1[j] != -1 {
					x1 := v1[j]
					y1 := x1 - k1
					if x1 >= n-x2 {
						return x1, y1, true
					}
				}
			}
		}
	}
	// Unreachable for non-empty input: the paths always meet by d = maxD.
	return 0, 0, false
}

// lines turns the script into Lines with line numbers, deleted lines of a
// changed region before its inserted ones.
func (w *worker) lines(a, b []string) []Line {
	total := 0
	for _, e := range w.script {
		total += e.n
	}
	out := make([]Line, 0, total)
	var ins []Line // inserts held back until the changed region ends
	flush := func() {
		out = append(out, ins...)
		ins = ins[:0]
	}
	for _, e := range w.script {
		for i := range e.n {
			switch e.op {
			case Equal:
				if i == 0 {
					flush()
				}
				out = append(out, Line{Op: Equal, OldN: e.x + i + 1, NewN: e.y + i + 1, Text: a[e.x+i]})
			case Delete:
				out = append(out, Line{Op: Delete, OldN: e.x + i + 1, Text: a[e.x+i]})
			case Insert:
				ins = append(ins, Line{Op: Insert, NewN: e.y + i + 1, Text: b[e.y+i]})
			}
		}
	}
	flush()
	return out
}

// Stats counts the added and removed lines of a diff.
func Stats(lines []Line) (added, removed int) {
	for _, l := range lines {
		switch l.Op {
		case Insert:
			added++
		case Delete:
			removed++
		}
	}
	return added, removed
}
