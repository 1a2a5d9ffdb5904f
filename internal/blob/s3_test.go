package blob_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"shipshape/internal/blob"
	"shipshape/internal/config"
)

func TestS3RefusesMissingBucket(t *testing.T) {
	testS3(t) // skips without a server
	loc, _ := config.ParseS3URL(os.Getenv("SHIPSHAPE_TEST_S3"))
	loc.Bucket = "shipshape-missing-" + randHex(4)
	_, err := blob.NewS3(context.Background(), blob.S3Options{Location: loc,
		AccessKey: os.Getenv("SHIPSHAPE_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("SHIPSHAPE_TEST_S3_SECRET_KEY")})
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), loc.Bucket) {
		t.Errorf("NewS3 with a missing bucket = %v, want a clear refusal naming it", err)
	}
}

func TestS3WrongCredentials(t *testing.T) {
	testS3(t)
	loc, _ := config.ParseS3URL(os.Getenv("SHIPSHAPE_TEST_S3"))
	_, err := blob.NewS3(context.Background(), blob.S3Options{Location: loc, AccessKey: "nobody", SecretKey: "wrong-secret"})
	if err == nil {
		t.Error("NewS3 with wrong credentials succeeded")
	}
}

// Open(cfg) with an s3:// URL, a key prefix in the URL, and the stored
// object's name and content type.
func TestOpenFromConfigS3(t *testing.T) {
	testS3(t)
	prefix := "cfg-" + randHex(4)
	raw := os.Getenv("SHIPSHAPE_TEST_S3")
	u := strings.Replace(raw, "?", "/"+prefix+"/sub?", 1)
	cfg := config.Default()
	cfg.Blob, cfg.S3AccessKey, cfg.S3SecretKey = u, os.Getenv("SHIPSHAPE_TEST_S3_ACCESS_KEY"), os.Getenv("SHIPSHAPE_TEST_S3_SECRET_KEY")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := blob.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := st.(*blob.S3)
	if _, err := s.Put(ctx, "releases/r/files/f", strings.NewReader("<html>hi</html>"), 100); err != nil {
		t.Fatal(err)
	}
	defer s.Delete(ctx, "releases/r/files/f")
	oi, err := s.Client().StatObject(ctx, s.Bucket(), prefix+"/sub/releases/r/files/f", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("object not stored under the URL's prefix: %v", err)
	}
	if oi.ContentType != "text/html; charset=utf-8" {
		t.Errorf("stored content type %q", oi.ContentType)
	}
	var keys []string
	for info, err := range s.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, info.Key)
	}
	if len(keys) != 1 || keys[0] != "releases/r/files/f" {
		t.Errorf("List under the prefix = %v", keys)
	}
}
