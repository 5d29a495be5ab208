package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tcd-registry/tcd/internal/apperr"
)

// Requests beyond the admitted number wait in order of arrival, and one that waits out its
// deadline gives up with Retry-After, without running.
func TestAdmissionQueuesInOrderOfArrival(t *testing.T) {
	e := echo.New()
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	gate := admission(1)
	serve := func(ctx context.Context, name string) (http.Header, error) {
		req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		err := gate(func(echo.Context) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			if name == "first" {
				<-release
			}
			return nil
		})(e.NewContext(req, rec))
		return rec.Header(), err
	}

	var wg sync.WaitGroup
	wg.Go(func() { serve(context.Background(), "first") })
	for len(snapshot(&mu, &order)) == 0 {
		time.Sleep(time.Millisecond)
	}
	for _, name := range []string{"second", "third", "fourth"} {
		wg.Go(func() { serve(context.Background(), name) })
		time.Sleep(20 * time.Millisecond) // each one queued before the next arrives
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	header, err := serve(ctx, "impatient")
	if apperr.CodeOf(err) != apperr.Unavailable || !strings.Contains(err.Error(), "busy") || header.Get("Retry-After") == "" {
		t.Errorf("a request that waits out its deadline: want 503 saying the service is busy, with Retry-After, got %v %q", err, header.Get("Retry-After"))
	}
	close(release)
	wg.Wait()
	got := snapshot(&mu, &order)
	if want := []string{"first", "second", "third", "fourth"}; !slices.Equal(got, want) {
		t.Fatalf("served in the order %v, want %v", got, want)
	}
}

func snapshot(mu *sync.Mutex, s *[]string) []string {
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), *s...)
}
