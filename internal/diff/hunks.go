package diff

import "fmt"

// Hunk is a run of changes with up to context unchanged lines around it,
// like one "@@" section of a unified diff. Unchanged lines between hunks
// are left out; Before and After say how many, so a page can show
// "⋯ 12 unchanged lines".
type Hunk struct {
	OldStart, OldLines int // as in the unified diff header
	NewStart, NewLines int
	Before             int // unchanged lines left out before this hunk (since the previous hunk or the start)
	After              int // unchanged lines left out after this hunk; only the last hunk has any
	Lines              []Line
}

// Header is the unified diff header, "@@ -3,7 +3,8 @@".
func (h Hunk) Header() string {
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
}

// Hunks groups the changes of a diff with context unchanged lines before
// and after each change. Changes closer than 2*context unchanged lines
// share a hunk. No changes, no hunks.
func Hunks(lines []Line, context int) []Hunk {
	if context < 0 {
		context = 0
	}
	var out []Hunk
	end := 0 // index after the previous hunk
	oldSeen, newSeen := 0, 0
	count := func(ls []Line) {
		for _, l := range ls {
			if l.Op != Insert {
				oldSeen++
			}
			if l.Op != Delete {
				newSeen++
			}
		}
	}
	for i := 0; i < len(lines); i++ {
		if lines[i].Op == Equal {
			continue
		}
		start := max(i-context, end)
		// Extend over every change whose leading context touches this
		// hunk's trailing context.
		last := i
		for j := i + 1; j < len(lines); j++ {
			if lines[j].Op == Equal {
				if j-last > 2*context {
					break
				}
				continue
			}
			last = j
		}
		stop := min(last+context+1, len(lines))
		count(lines[end:start])
		h := Hunk{Before: start - end, Lines: lines[start:stop], OldStart: oldSeen + 1, NewStart: newSeen + 1}
		for _, l := range h.Lines {
			if l.Op != Insert {
				h.OldLines++
			}
			if l.Op != Delete {
				h.NewLines++
			}
		}
		// Unified diffs number an empty side by the line before it.
		if h.OldLines == 0 {
			h.OldStart--
		}
		if h.NewLines == 0 {
			h.NewStart--
		}
		count(h.Lines)
		out = append(out, h)
		end, i = stop, stop-1
	}
	if len(out) > 0 {
		out[len(out)-1].After = len(lines) - end
	}
	return out
}
