package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/testenv"
)

func TestLargeAnswersAreGzipped(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		staff := env.As(auth.Staff)
		for i := range 30 {
			staff.Create("/api/v1/persons", map[string]any{"full_name": fmt.Sprintf("Nguyễn Văn Nam %d", i), "address": "thôn 3, xã Gio Mỹ, huyện Gio Linh"})
		}
		gz := []string{"Accept-Encoding", "gzip"}

		r := staff.Get("/api/v1/persons?limit=30", gz...)
		if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("a page of 30 persons asked for gzip: want a gzipped 200, got %d %q", r.Status, r.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []map[string]any }
		if err := json.Unmarshal(plain, &page); err != nil || len(page.Items) != 30 {
			t.Fatalf("the gzipped page decodes to %d persons (%v)", len(page.Items), err)
		}
		if len(r.Body) >= len(plain) {
			t.Errorf("gzip sent %d bytes for %d", len(r.Body), len(plain))
		}

		if r := staff.Get("/api/v1/orgs", gz...); r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "" || r.JSON() == nil {
			t.Errorf("a small answer goes as it is: got %d %q %s", r.Status, r.Header.Get("Content-Encoding"), r.Body)
		}
		if r := staff.Get("/api/v1/persons/nope", gz...); r.Status != http.StatusNotFound || !r.IsProblem() || r.Header.Get("Content-Encoding") != "" {
			t.Errorf("an error under gzip is still problem+json: got %s (%q)", r, r.Header.Get("Content-Encoding"))
		}
		if r := staff.Get("/api/v1/persons?limit=30"); r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "" || len(r.Items()) != 30 {
			t.Errorf("a client that does not accept gzip gets plain JSON: got %d %q", r.Status, r.Header.Get("Content-Encoding"))
		}
	})
}
