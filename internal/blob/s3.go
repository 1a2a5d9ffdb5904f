package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"shipshape/internal/config"
)

// S3 keeps files in a bucket of an S3-compatible object store.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

var _ Store = (*S3)(nil)

// S3Options configures NewS3.
type S3Options struct {
	Location  config.S3Location
	AccessKey string
	SecretKey string
	// Transport replaces the default HTTP transport (tests).
	Transport http.RoundTripper
}

// minPartSize bounds the memory of one upload: the client buffers one part.
const minPartSize = 16 << 20

// maxParts is S3's limit on the parts of a multipart upload.
const maxParts = 10000

// partSize is the smallest part size (a multiple of 1 MiB, at least 16 MiB)
// that lets maxSize bytes fit in maxParts parts.
func partSize(maxSize int64) uint64 {
	const mib = 1 << 20
	need := (maxSize + maxParts - 1) / maxParts
	need = (need + mib - 1) / mib * mib
	return uint64(max(need, minPartSize))
}

// NewS3 connects to the bucket and checks that it exists.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	loc := o.Location
	if o.AccessKey == "" || o.SecretKey == "" {
		return nil, errors.New("blob: s3 needs an access key and a secret key (SHIPSHAPE_S3_ACCESS_KEY, SHIPSHAPE_S3_SECRET_KEY)")
	}
	lookup := minio.BucketLookupAuto
	if loc.PathStyle != nil {
		lookup = minio.BucketLookupDNS
		if *loc.PathStyle {
			lookup = minio.BucketLookupPath
		}
	}
	client, err := minio.New(loc.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:       loc.TLS,
		Region:       loc.Region,
		BucketLookup: lookup,
		Transport:    o.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 endpoint %s: %w", loc.Endpoint, err)
	}
	s := &S3{client: client, bucket: loc.Bucket, prefix: loc.Prefix}
	ok, err := client.BucketExists(ctx, loc.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q at %s: %w", loc.Bucket, s.endpoint(), err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3 bucket %q does not exist at %s; create it first (Shipshape does not create buckets)", loc.Bucket, s.endpoint())
	}
	return s, nil
}

func (s *S3) endpoint() string { return s.client.EndpointURL().String() }

// Client is the underlying minio client (tests and admin tools).
func (s *S3) Client() *minio.Client { return s.client }

// Bucket is the bucket name.
func (s *S3) Bucket() string { return s.bucket }

// ObjectName is the S3 object name for key (the configured prefix + key).
func (s *S3) ObjectName(key string) string { return s.prefix + key }

// Close is a no-op: the client holds only idle connections.
func (s *S3) Close() error { return nil }

// Put streams r as a multipart upload of unknown length: one part is buffered
// at a time (partSize), and any failure aborts the upload, so no object (and
// no parts) remain.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, maxSize int64) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, err
	}
	if err := checkMax(maxSize); err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	m, body, err := newMeter(ctx, r, maxSize)
	if err != nil {
		return Object{}, err
	}
	ctype := http.DetectContentType(m.head)
	info, err := s.client.PutObject(ctx, s.bucket, s.ObjectName(key), body, -1, minio.PutObjectOptions{
		ContentType: ctype,
		PartSize:    partSize(maxSize),
	})
	if err != nil {
		if c := m.cause(nil); c != nil {
			return Object{}, c
		}
		return Object{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	obj := m.object(key)
	if info.Size != obj.Size {
		// Should not happen; never keep an object we did not fully send.
		_ = s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, s.ObjectName(key), minio.RemoveObjectOptions{})
		return Object{}, fmt.Errorf("blob: put %s: stored %d bytes, sent %d", key, info.Size, obj.Size)
	}
	return obj, nil
}

// Open returns a reader that fetches with ranged GETs after a Seek.
func (s *S3) Open(ctx context.Context, key string) (Reader, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.ObjectName(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err("open", key, err)
	}
	fi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, s.err("open", key, err)
	}
	return &s3Reader{Object: obj, size: fi.Size, mod: fi.LastModified}, nil
}

type s3Reader struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (r *s3Reader) Size() int64        { return r.size }
func (r *s3Reader) ModTime() time.Time { return r.mod }

// Stat asks the store for key's size and modification time (HEAD).
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	fi, err := s.client.StatObject(ctx, s.bucket, s.ObjectName(key), minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.err("stat", key, err)
	}
	return Info{Key: key, Size: fi.Size, ModTime: fi.LastModified}, nil
}

// Delete removes key; S3 deletes are idempotent.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.ObjectName(key), minio.RemoveObjectOptions{})
	if err != nil && !isS3NotFound(err) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// List pages through the bucket listing under prefix.
func (s *S3) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := validatePrefix(prefix); err != nil {
			yield(Info{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops the listing goroutine when the caller breaks out
		for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
			if o.Err != nil {
				yield(Info{}, fmt.Errorf("blob: list %s: %w", prefix, o.Err))
				return
			}
			key := strings.TrimPrefix(o.Key, s.prefix)
			if ValidateKey(key) != nil {
				continue // not ours (written by something else)
			}
			if !yield(Info{Key: key, Size: o.Size, ModTime: o.LastModified}, nil) {
				return
			}
		}
	}
}

func isS3NotFound(err error) bool {
	r := minio.ToErrorResponse(err)
	if r.Code == minio.NoSuchBucket {
		return false
	}
	return r.Code == minio.NoSuchKey || r.Code == "NotFound" || r.StatusCode == http.StatusNotFound
}

func (s *S3) err(op, key string, err error) error {
	if isS3NotFound(err) {
		return notFound(key, err)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}
