package markdown_test

import (
	"strings"
	"testing"

	"shipshape/internal/markdown"
)

func TestRendersCommonMarkAndTables(t *testing.T) {
	r := markdown.New()
	got := string(r.HTML("# Payments\n\nMoves **money**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n"))
	for _, want := range []string{"<h1", "Payments</h1>", "<strong>money</strong>", "<table>", "<td>1</td>", `type="checkbox"`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestNothingAUserWritesCanRun(t *testing.T) {
	r := markdown.New()
	for _, src := range []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<div style=\"background:url(x)\">x</div>",
		"![x](javascript:alert(1))",
	} {
		got := strings.ToLower(string(r.HTML(src)))
		for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe", "style="} {
			if strings.Contains(got, bad) {
				t.Errorf("%q renders %q, which contains %q", src, got, bad)
			}
		}
	}
}

func TestLinksDoNotLeakReferrerOrOpener(t *testing.T) {
	got := string(markdown.New().HTML("see <https://example.com/x>"))
	if !strings.Contains(got, `rel="nofollow noopener"`) || !strings.Contains(got, `href="https://example.com/x"`) {
		t.Fatalf("link rendered as %s", got)
	}
}
