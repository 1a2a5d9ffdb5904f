package blob_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shipshape/internal/blob"
)

// benchSize is the streamed body of the Put benchmarks: 256 MiB, or
// SHIPSHAPE_BENCH_PUT_BYTES (e.g. 1073741824 for the 1 GiB figure).
func benchSize(b *testing.B) int64 {
	if v := os.Getenv("SHIPSHAPE_BENCH_PUT_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 256 << 20
}

// BenchmarkPutLocal streams a generated body (never held in memory) into the
// local store: size + SHA-256 + fsync + rename. It reports MB/s and the
// process's peak RSS.
//
//	go test -run '^$' -bench PutLocal -benchtime 3x ./internal/blob/
func BenchmarkPutLocal(b *testing.B) {
	l, err := blob.NewLocal(filepath.Join(b.TempDir(), "files"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	benchPut(b, l)
}

// BenchmarkPutS3 is the same against SHIPSHAPE_TEST_S3.
func BenchmarkPutS3(b *testing.B) {
	benchPut(b, testS3(b))
}

func benchPut(b *testing.B, s blob.Store) {
	size := benchSize(b)
	ctx := context.Background()
	key := "bench/" + randHex(6)
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Put(ctx, key, newGen(int64(i), size), size); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s.Delete(ctx, key)
	if kb := peakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
	}
}

// peakRSSKiB reads VmHWM from /proc/self/status (Linux), 0 elsewhere.
func peakRSSKiB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
