package jsonx_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"shipshape/internal/jsonx"
)

func stdJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func FuzzStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x01\x1f\x7f", "tab\tnl\ncr\r\b\f",
		"<b>&amp;</b>", "\u2028\u2029", "é ü 中文 🚀", "\xff\xfe bad utf8", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonx.String(nil, s)
		if want := stdJSON(s); !bytes.Equal(got, want) {
			t.Fatalf("String(%q) = %s, encoding/json gives %s", s, got, want)
		}
	})
}

func TestTimeMatchesEncodingJSON(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 18, 29, 45, 784729000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 1, time.FixedZone("x", 3600)),
	} {
		if got, want := jsonx.Time(nil, tm), stdJSON(tm); !bytes.Equal(got, want) {
			t.Errorf("Time(%v) = %s, want %s", tm, got, want)
		}
	}
	if got := jsonx.NullTime(nil, nil); string(got) != "null" {
		t.Errorf("NullTime(nil) = %s", got)
	}
}
