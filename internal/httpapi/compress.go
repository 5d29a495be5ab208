package httpapi

import (
	"compress/gzip"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"
)

// compress gzips answers of 1 KiB and more for clients that accept it. gzhttp rather than
// Echo's Gzip middleware: Echo's takes a compressor (~1 MB) from its pool for every request
// before it knows the answer's size, so 50 requests in flight held 57 MB of compressors, most
// of the live heap, and the collector ran three times as often; gzhttp buffers the first
// kilobyte and takes a compressor only for an answer that outgrows it. Level 1: most of the
// size gain for a fraction of the CPU (the default level took ~28% of the server's CPU under
// load). Answers already encoded (the Prometheus handler compresses its own) pass as they are.
func compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.CompressionLevel(gzip.BestSpeed), gzhttp.EnableZstd(false))
	if err != nil {
		panic(err) // only for options out of range, fixed here
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			outer := c.Response()
			// the outer middlewares log and count the status and bytes sent on the wire, and
			// answer a panic there
			defer c.SetResponse(outer)
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				c.SetResponse(echo.NewResponse(w, c.Echo()))
				// the error becomes its problem+json answer here, while the compressor is
				// still open, rather than after it closed the answer
				if err := next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(outer, c.Request())
			return nil
		}
	}
}
