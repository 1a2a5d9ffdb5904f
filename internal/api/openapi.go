package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// openAPI builds the OpenAPI 3.1 document from the route table, deriving
// JSON schemas from the Go types the handlers read and write, so the
// document cannot drift from the code.
func (a *api) openAPI() []byte {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	for _, rt := range a.routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.RawRequest {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}}}
		}
		ok := map[string]any{"description": "success"}
		if rt.RawResponse {
			rawType := "application/octet-stream"
			if rt.RawType != "" {
				rawType = rt.RawType
			}
			ok["content"] = map[string]any{rawType: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		}
		if rt.Response != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Response))}}
		}
		responses := map[string]any{itoa(rt.Status): ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
		op["responses"] = responses
		if rt.Public {
			op["security"] = []any{}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	paths["/openapi.json"] = map[string]any{"get": map[string]any{
		"summary": "This document", "operationId": "openapi", "tags": []string{"meta"}, "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "the OpenAPI 3.1 document"}},
	}}
	g.defs["Error"] = map[string]any{
		"type": "object", "required": []string{"error"},
		"properties": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message"},
			"properties": map[string]any{
				"code":       map[string]any{"type": "string", "enum": []string{"invalid", "unauthenticated", "forbidden", "not_found", "conflict", "gate_blocked", "too_large", "unsupported_media_type", "rate_limited", "internal"}},
				"message":    map[string]any{"type": "string"},
				"fields":     map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
				"request_id": map[string]any{"type": "string"},
			},
		}},
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Shipshape API", "version": "1",
			"description": "Plan, secure and ship releases. Authenticate with a personal access token: Authorization: Bearer <token>. " +
				"Lists take ?limit= (1–200, default 50) and ?cursor= and answer {items, next_cursor}. A resource you may not see answers 404."},
		"servers":  []any{map[string]any{"url": "/api/v1"}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"responses": map[string]any{"Error": map[string]any{"description": "an error in the documented shape",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // the document is built from static types; failure is a programming error
	}
	return b
}

func operationID(rt route) string {
	parts := []string{strings.ToLower(rt.Method)}
	for _, p := range strings.Split(rt.Path, "/") {
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "{") {
			p = "by_" + strings.Trim(p, "{}")
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "_")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// schemaGen turns Go types into JSON Schema, named structs into $refs.
type schemaGen struct {
	defs map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	switch {
	case t == timeType:
		s = map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	case t.Kind() == reflect.Slice:
		s = map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case t.Kind() == reflect.Struct:
		name := schemaName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.structSchema(t)
		}
		s = map[string]any{"$ref": "#/components/schemas/" + name}
	default:
		s = map[string]any{}
	}
	if nullable {
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
		}
		if typ, ok := s["type"].(string); ok {
			s["type"] = []string{typ, "null"}
		}
	}
	return s
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.addFields(t, props)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func (g *schemaGen) addFields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			g.addFields(f.Type, props)
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
	}
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// schemaName is "Package.Type" made safe, e.g. "project_Project" or
// "api_list_project_Project" for generics.
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	name = strings.ReplaceAll(name, "shipshape/internal/", "")
	return strings.Trim(nonWord.ReplaceAllString(pkg+"_"+name, "_"), "_")
}
