package httpapi_test

import (
	"net/url"
	"reflect"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func ids(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

// idsOf lists, in order, the ids of records read as models of the generated client (each has
// an ID field; one without panics the test).
func idsOf[T any](items []T) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, reflect.ValueOf(it).FieldByName("ID").Interface().(string))
	}
	return out
}

// orZero is *p, or the zero value when the answer had null (or nothing) there.
func orZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// auditActions lists the actions the audit log records about the entity with id, newest first.
func auditActions(c *testenv.Client, entity, id string) []string {
	var out []string
	for _, e := range testenv.ListAllAs[apiclient.AuditEntry](c, "/api/v1/audit?entity="+entity+"&entity_id="+id, 50) {
		out = append(out, e.Action)
	}
	return out
}

// dateOf is a date the answer may have null for, as the document writes it ("" for null).
func dateOf(d *openapi_types.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func urlQuery(s string) string { return url.QueryEscape(s) }
