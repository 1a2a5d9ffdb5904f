package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"shipshape/internal/api"
	"shipshape/internal/db"
	"shipshape/internal/testkit"
)

// TestOpenAPIDescribesEveryRoute fetches the served document, checks that
// it parses as OpenAPI 3.1, that every registered route is in it with a
// success response, and that every $ref resolves.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	a := testkit.NewApp(t, testkit.OpenDB(t, db.SQLite), testkit.NewClock())
	srv := testkit.Server(t, a)
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("document does not parse: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	routes := api.Routes(api.Deps{})
	if len(routes) < 30 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %s is not in the OpenAPI document", r)
			continue
		}
		if op["summary"] == "" || op["responses"] == nil || op["operationId"] == "" {
			t.Errorf("route %s lacks summary, operationId or responses", r)
		}
		for _, p := range strings.Split(path, "/") {
			if strings.HasPrefix(p, "{") && !strings.Contains(string(mustJSON(op["parameters"])), `"name":"`+strings.Trim(p, "{}")+`"`) {
				t.Errorf("route %s does not declare path parameter %s", r, p)
			}
		}
	}
	// The document describes nothing that is not served.
	served := map[string]bool{}
	for _, r := range routes {
		served[r] = true
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if !served[strings.ToUpper(m)+" "+path] {
				t.Errorf("document lists %s %s, which is not registered", m, path)
			}
		}
	}
	// Every $ref points at a defined schema.
	for _, ref := range findRefs(raw) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if name == ref {
			continue
		}
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
	// A request schema carries the documented fields.
	if !strings.Contains(string(mustJSON(doc.Components.Schemas["account_SignupInput"])), `"age_confirmed"`) {
		t.Error("SignupInput schema lacks age_confirmed")
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func findRefs(raw []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if s, ok := val.(string); ok && k == "$ref" {
					out = append(out, s)
				}
				walk(val)
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	walk(v)
	return out
}
