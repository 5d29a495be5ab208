package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/stats"
)

// WriteReportFile writes the report of q into dir under its period's name and returns the path.
// The file appears whole or not at all, and a re-run replaces it rather than adding a copy.
func (s *Service) WriteReportFile(ctx context.Context, actor auth.Actor, q stats.Query, f Format, dir string) (string, error) {
	r, err := s.Report(ctx, actor, q, f)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, r.Name)
	return path, writeFileAtomic(path, func(w io.Writer) error {
		_, err := r.WriteTo(w)
		return err
	})
}

// writeFileAtomic writes path through a temporary file in the same directory, synced to disk
// and then renamed over path, so that a reader (or a crash) never sees half a file. The
// temporary name starts with a dot, so that a job picking up *.xlsx never takes one that a
// crash left behind.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("export directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("export directory: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// readable by the service's user alone: reports carry the organisations' names and
	// figures, and the jobs that collect them run as that user or are given access by the
	// operator
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
