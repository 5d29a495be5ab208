// Package e2e runs the real tcd binary as a subprocess, for the tests and tools that must do what
// an in-process server cannot: kill it with SIGKILL, restart it, take its database away, measure it.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// Binary builds cmd/tcd once per process and returns the executable's path.
func Binary() (string, error) {
	buildOnce.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, buildErr = os.MkdirTemp("", "tcd-e2e-"); buildErr != nil {
			return
		}
		buildPath = filepath.Join(buildDir, "tcd")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/tcd")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/tcd: %v\n%s", err, out)
		}
	})
	return buildPath, buildErr
}

// RemoveBinary deletes what Binary built; call it once the process is done with the binary.
func RemoveBinary() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// ModuleRoot finds the directory holding go.mod, from the working directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Env is the environment of a tcd process: the caller's, with the given TCD_* settings on top.
// The rate limiter is off unless a setting turns it on, because tests and load runs drive one
// token much harder than any person would; the log level is info, because Start reads the
// address from an info line.
func Env(settings ...string) []string {
	env := append(os.Environ(), "TCD_RATE_LIMIT=0", "TCD_ADDR=127.0.0.1:0", "TCD_LOG_LEVEL=info")
	return append(env, settings...)
}

// Run runs a tcd subcommand to completion and returns its standard output.
func Run(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("tcd %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Token creates a token with the CLI, as an operator would, and returns its secret (the last line
// of the output).
func Token(ctx context.Context, bin string, env []string, role, name string) (string, error) {
	out, err := Run(ctx, bin, env, "token", "create", "--role", role, "--name", name)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// Server is a running `tcd serve`.
type Server struct {
	BaseURL string
	cmd     *exec.Cmd
	log     *tail
	exited  chan struct{}
}

// Start runs `tcd serve` with env and returns once it listens. The address comes from the
// server's own "serving" log line, so any port (TCD_ADDR=127.0.0.1:0) works without races.
func Start(bin string, env []string) (*Server, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, log: &tail{max: 64 << 10}, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go s.readLog(stderr, addr)
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case a := <-addr:
		s.BaseURL = "http://" + a
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("tcd serve exited before listening:\n%s", s.Log())
	case <-time.After(60 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("tcd serve did not listen within 60 s:\n%s", s.Log())
	}
}

func (s *Server) readLog(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := false
	for sc.Scan() {
		line := sc.Bytes()
		// the access log of successful requests would push what matters out of the tail (and
		// decoding each of its lines would cost a load run CPU)
		if bytes.Contains(line, []byte(`"level":"INFO","msg":"request"`)) {
			continue
		}
		s.log.Write(append(line, '\n'))
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if !found && json.Unmarshal(line, &entry) == nil && entry.Msg == "serving" && entry.Addr != "" {
			found = true
			addr <- entry.Addr
		}
	}
	// keep draining so the server never blocks on a full pipe
	_, _ = io.Copy(io.Discard, r)
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Kill ends the server with SIGKILL, as a power cut or the OOM killer would, and waits for it.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// Stop asks the server to shut down gracefully, killing it if it has not exited within 30 s.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.Kill()
	}
}

// Log returns the end of the server's log, for failure messages.
func (s *Server) Log() string { return s.log.String() }

// Ready polls /readyz until it answers 200 or the timeout passes.
func (s *Server) Ready(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(s.BaseURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/readyz not 200 within %s (last: %v)", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
