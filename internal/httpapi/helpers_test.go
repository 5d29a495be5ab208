package httpapi_test

import "net/url"

func ids(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

func urlQuery(s string) string { return url.QueryEscape(s) }
