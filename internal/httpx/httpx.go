// Package httpx holds the HTTP plumbing both surfaces share: middleware
// (request id, access log, recovery, security headers, body limits), the
// client's address, and JSON responses with the documented error shape.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shipshape/internal/apperr"
	"shipshape/internal/jsonx"
)

type ctxKey int

const requestIDKey ctxKey = 1

// RequestID returns the request's id.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// statusWriter records the status and size for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe assigns a request id, recovers panics as 500s and writes one
// access-log line per request.
func Observe(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id := hex.EncodeToString(b)
			w.Header().Set("X-Request-Id", id)
			r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					log.Error("panic", "request_id", id, "panic", p)
					if sw.status == 0 {
						WriteError(sw, r, log, errors.New("panic"))
					}
				}
				log.Info("request", "request_id", id, "method", r.Method, "path", LogPath(r.URL.Path),
					"status", sw.status, "bytes", sw.size, "duration_ms", float64(time.Since(start).Microseconds())/1000)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// LogPath is a request path fit for logs: secrets that travel in paths
// (invitation tokens, "inv_…") are cut to their prefix.
func LogPath(p string) string {
	if !strings.Contains(p, "inv_") {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, "inv_") {
			parts[i] = "inv_…"
		}
	}
	return strings.Join(parts, "/")
}

// CSP allows only our own resources; no inline script anywhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders(tls bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", CSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
			if tls {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// LimitBody caps request bodies at n bytes.
func LimitBody(n int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				WriteError(w, r, nil, &apperr.Error{Code: apperr.TooLarge, Message: "the request body is larger than " + strconv.FormatInt(n, 10) + " bytes"})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIP is the peer address, or, when the operator said a proxy stands
// in front, the last X-Forwarded-For hop: the one that proxy added. Earlier
// hops are whatever the client chose to send.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(hops[len(hops)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errorBody is the documented error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      apperr.Code       `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// AsAppError converts any error into an *apperr.Error; the safe message of
// an internal error never leaks its cause.
func AsAppError(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apperr.Error{Code: apperr.TooLarge, Message: "the request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "something went wrong on our side; the request id helps us find it", Err: err}
}

// WriteError renders err as JSON; internal errors are logged with the
// request id, others are not.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ae := AsAppError(err)
	if ae.Code == apperr.Internal && log != nil {
		log.Error("internal error", "request_id", RequestID(r.Context()), "method", r.Method, "path", LogPath(r.URL.Path), "err", err)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	WriteJSON(w, apperr.Status(ae.Code), errorBody{errorDetail{Code: ae.Code, Message: ae.Message, Fields: ae.Fields, RequestID: RequestID(r.Context())}})
}

// WriteJSON writes v with status; types with a hand-written encoding
// (jsonx.Appender) skip reflection.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	if a, ok := v.(jsonx.Appender); ok {
		b = append(a.AppendJSON(make([]byte, 0, 4096)), '\n')
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			http.Error(w, `{"error":{"code":"internal","message":"encoding failed"}}`, http.StatusInternalServerError)
			return
		}
		b = buf.Bytes()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b))) // one write, not chunks
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
