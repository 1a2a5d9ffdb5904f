package blob

import "testing"

func TestPartSize(t *testing.T) {
	for _, c := range []struct{ max, want int64 }{
		{1, 16 << 20},
		{4 << 30, 16 << 20},
		{150 << 30, 16 << 20},
		{160 << 30, 17 << 20},
		{200 << 30, 21 << 20},
		{5 << 40, 525 << 20},
	} {
		got := int64(partSize(c.max))
		if got != c.want || got*maxParts < c.max {
			t.Errorf("partSize(%d) = %d, want %d", c.max, got, c.want)
		}
	}
}
