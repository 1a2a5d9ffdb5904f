package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipshape/internal/config"
)

func TestBlobSettings(t *testing.T) {
	t.Run("DefaultsToLocalFilesAnd4GiB", func(t *testing.T) {
		c, err := load(t, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Blob != "" || c.MaxUpload != 4<<30 || c.FilesDir() != filepath.Join(c.DataDir, "files") {
			t.Errorf("blob %q max-upload %d files %q", c.Blob, c.MaxUpload, c.FilesDir())
		}
	})
	t.Run("S3WithKeys", func(t *testing.T) {
		c, err := load(t, []string{"--max-upload", "1048576"}, map[string]string{
			"SHIPSHAPE_BLOB":          "s3://ship-files?endpoint=minio.internal:9000&tls=false",
			"SHIPSHAPE_S3_ACCESS_KEY": "AKID", "SHIPSHAPE_S3_SECRET_KEY": "sekrit",
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Blob != "s3://ship-files?endpoint=minio.internal:9000&tls=false" || c.S3AccessKey != "AKID" || c.S3SecretKey != "sekrit" || c.MaxUpload != 1<<20 {
			t.Errorf("config = %+v", c)
		}
	})
	t.Run("KeysFromFiles", func(t *testing.T) {
		dir := t.TempDir()
		ak, sk := filepath.Join(dir, "ak"), filepath.Join(dir, "sk")
		os.WriteFile(ak, []byte("AKID\n"), 0o600)
		os.WriteFile(sk, []byte("sekrit\n"), 0o600)
		c, err := load(t, nil, map[string]string{
			"SHIPSHAPE_BLOB":               "s3://ship-files",
			"SHIPSHAPE_S3_ACCESS_KEY_FILE": ak, "SHIPSHAPE_S3_SECRET_KEY_FILE": sk,
		})
		if err != nil || c.S3AccessKey != "AKID" || c.S3SecretKey != "sekrit" {
			t.Errorf("keys %q %q, %v", c.S3AccessKey, c.S3SecretKey, err)
		}
	})
	t.Run("SecretsAreMarked", func(t *testing.T) {
		for _, o := range config.Options() {
			if (o.Env == "SHIPSHAPE_S3_ACCESS_KEY" || o.Env == "SHIPSHAPE_S3_SECRET_KEY") != (o.Secret && strings.HasPrefix(o.Env, "SHIPSHAPE_S3_")) {
				t.Errorf("%s: Secret = %v", o.Env, o.Secret)
			}
		}
	})

	keys := map[string]string{"SHIPSHAPE_S3_ACCESS_KEY": "AKID", "SHIPSHAPE_S3_SECRET_KEY": "sekrit"}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range keys {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		name  string
		args  []string
		env   map[string]string
		wants []string
	}{
		{"ErrNotS3", nil, with(map[string]string{"SHIPSHAPE_BLOB": "/var/lib/files"}), []string{"blob", "s3://"}},
		{"ErrGCS", []string{"--blob", "gs://bucket"}, keys, []string{"blob", "gs"}},
		{"ErrBadBucket", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://Ship_Files"}), []string{"blob", "bucket"}},
		{"ErrNoBucket", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://?endpoint=x:1"}), []string{"blob", "bucket"}},
		{"ErrUnknownParam", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship?endpiont=x:1"}), []string{"blob", "endpiont"}},
		{"ErrEndpointWithScheme", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship?endpoint=http://x:9000"}), []string{"blob", "endpoint", "tls=false"}},
		{"ErrEndpointBadPort", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship?endpoint=x:99999"}), []string{"blob", "endpoint"}},
		{"ErrTLSNotBool", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship?tls=maybe"}), []string{"blob", "tls"}},
		{"ErrPathStyleNotBool", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship?path_style=1x"}), []string{"blob", "path_style"}},
		{"ErrBadPrefix", nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://ship/../x"}), []string{"blob", "prefix"}},
		{"ErrMissingKeys", []string{"--blob", "s3://ship"}, nil, []string{"s3-access-key", "s3-secret-key"}},
		{"ErrMissingSecretKey", []string{"--blob", "s3://ship"}, map[string]string{"SHIPSHAPE_S3_ACCESS_KEY": "AKID"}, []string{"s3-secret-key"}},
		{"ErrMissingKeyFile", nil, map[string]string{"SHIPSHAPE_S3_SECRET_KEY_FILE": "/nonexistent/sk"}, []string{"SHIPSHAPE_S3_SECRET_KEY_FILE"}},
		{"ErrMaxUploadNotANumber", []string{"--max-upload", "4GiB"}, nil, []string{"--max-upload", "4GiB"}},
		{"ErrMaxUploadZero", nil, map[string]string{"SHIPSHAPE_MAX_UPLOAD": "0"}, []string{"max-upload"}},
		{"ErrMaxUploadNegative", []string{"--max-upload=-5"}, nil, []string{"max-upload"}},
		{"ErrMaxUploadAboveS3Limit", []string{"--max-upload", "5497558138881"}, nil, []string{"max-upload", "5 TiB"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.args, c.env)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("ErrDoesNotLeakCredentialsInURL", func(t *testing.T) {
		_, err := load(t, nil, with(map[string]string{"SHIPSHAPE_BLOB": "s3://AKID:hunter2@ship?endpoint=x:1"}))
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "SHIPSHAPE_S3_SECRET_KEY") {
			t.Errorf("error = %v; want a pointer to the key settings, without the secret", err)
		}
	})
}

func TestParseS3URL(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		raw  string
		want config.S3Location
	}{
		{"s3://ship", config.S3Location{Bucket: "ship", Endpoint: "s3.amazonaws.com", TLS: true}},
		{"s3://ship/", config.S3Location{Bucket: "ship", Endpoint: "s3.amazonaws.com", TLS: true}},
		{"s3://ship.files-1/tenant/a?endpoint=127.0.0.1:7070&region=eu-1&tls=false&path_style=true",
			config.S3Location{Bucket: "ship.files-1", Prefix: "tenant/a/", Endpoint: "127.0.0.1:7070", Region: "eu-1", PathStyle: &yes}},
		{"s3://ship?endpoint=s3.example.com&path_style=false", config.S3Location{Bucket: "ship", Endpoint: "s3.example.com", TLS: true, PathStyle: &no}},
	} {
		got, err := config.ParseS3URL(c.raw)
		if err != nil {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		if got.Bucket != c.want.Bucket || got.Prefix != c.want.Prefix || got.Endpoint != c.want.Endpoint ||
			got.Region != c.want.Region || got.TLS != c.want.TLS || (got.PathStyle == nil) != (c.want.PathStyle == nil) ||
			got.PathStyle != nil && *got.PathStyle != *c.want.PathStyle {
			t.Errorf("%s = %+v, want %+v", c.raw, got, c.want)
		}
	}
}
