package apperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/apperr"
)

func TestStatus(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.Invalid:         http.StatusBadRequest,
		apperr.Unauthenticated: http.StatusUnauthorized,
		apperr.Forbidden:       http.StatusForbidden,
		apperr.NotFound:        http.StatusNotFound,
		apperr.Conflict:        http.StatusConflict,
		apperr.GateBlocked:     http.StatusConflict,
		apperr.TooLarge:        http.StatusRequestEntityTooLarge,
		apperr.Unsupported:     http.StatusUnsupportedMediaType,
		apperr.RateLimited:     http.StatusTooManyRequests,
		apperr.Internal:        http.StatusInternalServerError,
		"made_up":              http.StatusInternalServerError,
	}
	for code, status := range want {
		if got := apperr.Status(code); got != status {
			t.Errorf("Status(%s) = %d, want %d", code, got, status)
		}
	}
}

func TestCodeOf(t *testing.T) {
	nf := apperr.NotFoundf("project %s not found", "PAY")
	cases := []struct {
		name string
		err  error
		want apperr.Code
	}{
		{"Direct", nf, apperr.NotFound},
		{"Wrapped", fmt.Errorf("get project: %w", nf), apperr.NotFound},
		{"Joined", errors.Join(errors.New("other"), apperr.E(apperr.Conflict, "taken")), apperr.Conflict},
		{"PlainIsInternal", errors.New("disk on fire"), apperr.Internal},
		{"NilIsInternal", nil, apperr.Internal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := apperr.CodeOf(c.err); got != c.want {
				t.Errorf("CodeOf = %s, want %s", got, c.want)
			}
		})
	}
	if apperr.Is(nil, apperr.Internal) {
		t.Error("Is(nil, Internal) = true; nil is not an error")
	}
	if !apperr.Is(fmt.Errorf("x: %w", nf), apperr.NotFound) || apperr.Is(nf, apperr.Conflict) {
		t.Error("Is disagrees with CodeOf")
	}
}

func TestErrorMessageAndCause(t *testing.T) {
	cause := errors.New("pq: connection reset")
	e := &apperr.Error{Code: apperr.Internal, Message: "could not save", Err: cause}
	if !errors.Is(e, cause) {
		t.Error("the cause is not reachable with errors.Is")
	}
	if s := e.Error(); !strings.Contains(s, "could not save") || !strings.Contains(s, cause.Error()) || !strings.HasPrefix(s, "internal") {
		t.Errorf("Error() = %q", s)
	}
	if s := apperr.E(apperr.Forbidden, "role %s", "viewer").Error(); s != "forbidden: role viewer" {
		t.Errorf("Error() without cause = %q", s)
	}
}

func TestValidator(t *testing.T) {
	v := apperr.Validator{}
	if v.Err() != nil {
		t.Fatal("empty validator reports an error")
	}
	v.Check(true, "name", "never recorded")
	if v.Err() != nil {
		t.Fatal("passing check recorded a problem")
	}
	v.Check(false, "name", "is required")
	v.Check(false, "name", "is too long")
	v.Check(false, "email", "is not valid")
	err := v.Err()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
		t.Fatalf("Err() = %v, want invalid", err)
	}
	if len(ae.Fields) != 2 || ae.Fields["name"] != "is required" || ae.Fields["email"] != "is not valid" {
		t.Errorf("fields = %v, want the first problem per field", ae.Fields)
	}
	if f := apperr.Fields(map[string]string{"x": "y"}); f.Code != apperr.Invalid || f.Fields["x"] != "y" || f.Message == "" {
		t.Errorf("Fields = %+v", f)
	}
}
