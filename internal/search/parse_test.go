package search

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in, fts5, web string
	}{
		{"", "", ""},
		{"   ", "", ""},
		{"payment retry", `("payment") AND ("retry")`, `"payment" "retry"`},
		{`"rolling deploy" canary`, `("rolling deploy") AND ("canary")`, `"rolling deploy" "canary"`},
		{"kafka OR rabbit", `("kafka" OR "rabbit")`, `"kafka" or "rabbit"`},
		{"OR kafka", `("kafka")`, `"kafka"`},
		{"deploy -staging", `("deploy") NOT "staging"`, `"deploy" -"staging"`},
		{"-staging", ` NOT "staging"`, ` -"staging"`},
		{`a"b`, `("a""b")`, `"a b"`},
		{`"unterminated phrase`, `("unterminated phrase")`, `"unterminated phrase"`},
		{"* ^ : ( ) NEAR AND", `("NEAR") AND ("AND")`, `"NEAR" "AND"`},
		{"1.2.0", `("1.2.0")`, `"1.2.0"`},
		{"x OR", `("x")`, `"x"`},
	}
	for _, c := range cases {
		q := parse(c.in)
		if got := q.fts5(); got != c.fts5 {
			t.Errorf("parse(%q).fts5() = %q, want %q", c.in, got, c.fts5)
		}
		if got := q.websearch(); got != c.web {
			t.Errorf("parse(%q).websearch() = %q, want %q", c.in, got, c.web)
		}
	}
	if q := parse("-only -exclusions"); !q.empty() {
		t.Error("a query of exclusions only must be empty")
	}
	long := ""
	for i := 0; i < 40; i++ {
		long += "w "
	}
	if q := parse(long); len(q.groups) != maxTerms {
		t.Errorf("terms = %d, want the cap %d", len(q.groups), maxTerms)
	}
}

func TestSnippetHTML(t *testing.T) {
	cases := map[string]string{
		"plain": "plain",
		"a " + markOpen + "hit" + markClose + " <b>&": "a <mark>hit</mark> &lt;b&gt;&amp;",
		markOpen + "open only":                        "<mark>open only</mark>",
		"close only" + markClose:                      "close only",
		"line\n\n  breaks":                            "line breaks",
		markOpen + markOpen + "x" + markClose:         "<mark>x</mark>",
	}
	for in, want := range cases {
		if got := snippetHTML(in); got != want {
			t.Errorf("snippetHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
