// Package api is the JSON API v1 (contract: shared/API.md). Each route is
// declared once, in routes.go, with what the OpenAPI document needs.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"shipshape/internal/account"
	"shipshape/internal/apperr"
	"shipshape/internal/audit"
	"shipshape/internal/consent"
	"shipshape/internal/doc"
	"shipshape/internal/export"
	"shipshape/internal/httpx"
	"shipshape/internal/jsonx"
	"shipshape/internal/owner"
	"shipshape/internal/policy"
	"shipshape/internal/privacy"
	"shipshape/internal/privreq"
	"shipshape/internal/project"
	"shipshape/internal/release"
	"shipshape/internal/retention"
	"shipshape/internal/search"
	"shipshape/internal/workspace"
)

// Deps are the services and settings the API needs.
type Deps struct {
	Log        *slog.Logger
	Accounts   *account.Service
	Workspaces *workspace.Service
	Projects   *project.Service
	Releases   *release.Service
	Owners     *owner.Service
	Docs       *doc.Service
	Search     *search.Service
	Consent    *consent.Service
	Policies   *policy.Service
	TrustProxy bool
	BodyLimit  int64 // JSON bodies
	MaxUpload  int64 // raw uploads (routes with RawRequest)

	// PrivacyInventory returns the personal-data inventory (app.PrivacyInventory).
	PrivacyInventory func() privacy.Inventory
	Retention        *retention.Service
	Exports          *export.Service
	PrivacyRequests  *privreq.Service
}

type api struct {
	Deps
	routes []route
}

// call is one authenticated request.
type call struct {
	w         http.ResponseWriter // for handlers that write the body themselves
	r         *http.Request
	principal account.Principal
	actor     audit.Actor
}

func (c *call) userID() string { return c.principal.User.ID }

// handlerFunc returns the response body (nil for 204) or an error.
// Handlers that wrote the response themselves return served{}.
type handlerFunc func(c *call) (any, error)

// served says the handler already wrote the response.
type served struct{}

// route is one endpoint: its handler and its OpenAPI description.
type route struct {
	Method, Path string
	Summary      string
	Tag          string
	Public       bool   // no token needed
	Status       int    // success status
	Request      any    // request body type (nil: none)
	Response     any    // response body type (nil: none)
	RawRequest   bool   // the body is raw bytes (application/octet-stream), limited by MaxUpload instead of BodyLimit
	RawResponse  bool   // the handler writes raw bytes (application/octet-stream)
	RawType      string // the content type of a RawResponse when not application/octet-stream
	Query        []param
	h            handlerFunc
}

type param struct {
	Name, Description string
}

// New returns the API handler, to be mounted at /api/v1.
func New(d Deps) http.Handler {
	a := &api{Deps: d}
	a.routes = a.routeTable()
	mux := http.NewServeMux()
	// Each route gets its own body limit: JSON routes BodyLimit, raw
	// uploads MaxUpload (which the upload also enforces while streaming).
	jsonLimit := httpx.LimitBody(d.BodyLimit)
	for _, rt := range a.routes {
		limit := jsonLimit
		if rt.RawRequest {
			limit = httpx.LimitBody(a.maxUpload())
		}
		mux.Handle(rt.Method+" "+rt.Path, httpx.Chain(a.wrap(rt), limit))
	}
	doc := a.openAPI()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, nil, apperr.NotFoundf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (a *api) maxUpload() int64 {
	if a.MaxUpload > 0 {
		return a.MaxUpload
	}
	return 4 << 30
}

// Routes lists "METHOD /path" of every registered endpoint (for tests).
func Routes(d Deps) []string {
	a := &api{Deps: d}
	var out []string
	for _, rt := range a.routeTable() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return append(out, "GET /openapi.json")
}

func (a *api) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, actor: audit.Actor{IP: httpx.ClientIP(r, a.TrustProxy), UserAgent: r.UserAgent()}}
		var support *workspace.SupportTrace // site admins: requests under support access are audited
		if !rt.Public {
			p, err := a.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="shipshape"`)
				httpx.WriteError(w, r, a.Log, err)
				return
			}
			need := account.ScopeWrite
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				need = account.ScopeRead
			}
			if !p.Can(need) {
				httpx.WriteError(w, r, a.Log, apperr.E(apperr.Forbidden, "this token lacks the %q scope", need))
				return
			}
			c.principal = p
			c.actor.UserID = p.User.ID
			support = a.traceSupport(c, p)
		}
		body, err := rt.h(c)
		if support != nil {
			err = a.recordSupport(c, support, body, err)
		}
		if err != nil {
			httpx.WriteError(w, r, a.Log, err)
			return
		}
		if _, ok := body.(served); ok {
			return
		}
		if body == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		httpx.WriteJSON(w, rt.Status, body)
	})
}

func (a *api) authenticate(r *http.Request) (account.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return account.Principal{}, apperr.E(apperr.Unauthenticated, "send a personal access token: Authorization: Bearer <token>")
	}
	return a.Accounts.TokenPrincipal(r.Context(), strings.TrimSpace(token))
}

// decode reads a JSON object into v: the body must be JSON, valid UTF-8,
// one object, with no unknown fields.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.E(apperr.Unsupported, "send the body as application/json")
		}
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.AsAppError(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return apperr.E(apperr.Invalid, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(b) {
		return apperr.E(apperr.Invalid, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.E(apperr.Invalid, "the request body holds more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.E(apperr.Invalid, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.E(apperr.Invalid, "the body must be a JSON object")
		}
		return &apperr.Error{Code: apperr.Invalid, Message: "some fields have the wrong type",
			Fields: map[string]string{field: "must be a " + jsonKind(typ.Type.String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Code: apperr.Invalid, Message: "unknown field " + strconv.Quote(name), Fields: map[string]string{name: "unknown field"}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.E(apperr.Invalid, "malformed JSON: the body ends too early")
	}
	return httpx.AsAppError(fmt.Errorf("decode: %w", err))
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "string"):
		return "string"
	case strings.Contains(goType, "bool"):
		return "boolean"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "number"
	case strings.HasPrefix(goType, "[]"):
		return "list"
	}
	return "JSON value of the documented type"
}

// Cursor lengths: most cursors are short keys or sequence numbers; a
// release's is its version key, which long prerelease versions stretch.
const (
	maxCursor    = 200
	maxKeyCursor = 1024
)

// page reads ?limit= (default 50, max 200) and ?cursor= (at most maxLen bytes).
func page(r *http.Request, maxLen int) (limit int, cursor string, err error) {
	limit = 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 200 {
			return 0, "", apperr.Fields(map[string]string{"limit": "must be a whole number from 1 to 200"})
		}
		limit = n
	}
	cursor = r.URL.Query().Get("cursor")
	if len(cursor) > maxLen || !utf8.ValidString(cursor) {
		return 0, "", apperr.Fields(map[string]string{"cursor": "is not a valid cursor"})
	}
	return limit, cursor, nil
}

// list is the documented list envelope.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// AppendJSON writes the envelope without reflection when the items can
// (see jsonx); others go through encoding/json.
func (l list[T]) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, 512*len(l.Items)+64)
	b = append(b, `{"items":[`...)
	for i := range l.Items {
		if i > 0 {
			b = append(b, ',')
		}
		if a, ok := any(&l.Items[i]).(jsonx.Appender); ok { // a pointer: no copy
			b = a.AppendJSON(b)
			continue
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(l.Items[i]) // our own types always encode
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
	b = append(b, `],"next_cursor":`...)
	if l.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = jsonx.String(b, *l.NextCursor)
	}
	return append(b, '}')
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}
