// Package apperr is the one error type that crosses layers. Domains return it;
// the HTTP edge maps its Code to a status in one place (Status).
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a machine-readable error class, part of the API contract.
type Code string

const (
	Invalid         Code = "invalid"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	GateBlocked     Code = "gate_blocked"
	TooLarge        Code = "too_large"
	Unsupported     Code = "unsupported_media_type"
	RateLimited     Code = "rate_limited"
	Internal        Code = "internal"
)

// Error carries a safe message for the client and an internal cause for logs.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// RetryAfter is set for RateLimited errors (seconds).
	RetryAfter int
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Fields builds an Invalid error listing problems per field.
func Fields(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "some fields are invalid", Fields: fields}
}

// NotFoundf is the common "not found" error.
func NotFoundf(format string, args ...any) *Error { return E(NotFound, format, args...) }

// CodeOf returns the code of err, Internal for errors that are not *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Status maps a code to its HTTP status. This is the only place that does it.
func Status(code Code) int {
	switch code {
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict, GateBlocked:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unsupported:
		return http.StatusUnsupportedMediaType
	case RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Validator collects field problems; Err returns nil when there are none.
type Validator map[string]string

// Check records msg for field when ok is false and no earlier problem exists for it.
func (v Validator) Check(ok bool, field, msg string) {
	if !ok {
		if _, seen := v[field]; !seen {
			v[field] = msg
		}
	}
}

// Err returns an Invalid error when any field failed.
func (v Validator) Err() error {
	if len(v) == 0 {
		return nil
	}
	return Fields(v)
}
