package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"shipshape/internal/apperr"
)

// argon2id parameters (OWASP 2023 minimum: 19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-formatted argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword compares pw with a hash from HashPassword in constant time.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash lets a login for an unknown e-mail take as long as a real one.
// It is computed on first use, so CLI commands do not pay for it.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not-a-real-password") })

var commonPasswords = map[string]bool{
	"password": true, "password1": true, "password12": true, "password123": true, "1234567890": true,
	"12345678910": true, "qwertyuiop": true, "iloveyou12": true, "letmein123": true, "changeme123": true,
	"welcome123": true, "administrator": true, "passw0rd123": true, "shipshape": true, "0123456789": true,
}

// checkPassword records why pw is too weak, if it is.
func checkPassword(v apperr.Validator, field, pw, email string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		v.Check(false, field, "is required")
	case !utf8.ValidString(pw):
		v.Check(false, field, "must be valid UTF-8")
	case n < 10:
		v.Check(false, field, "must be at least 10 characters")
	case len(pw) > 256:
		v.Check(false, field, "must be at most 256 bytes")
	case commonPasswords[strings.ToLower(pw)] || strings.EqualFold(pw, email) || distinct(pw) < 4:
		v.Check(false, field, "is too easy to guess")
	}
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}
