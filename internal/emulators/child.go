package emulators

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"
)

const (
	// outputLimit bounds what we remember of a child's output: enough for a
	// Java stack trace or a Python traceback, not enough to matter if a
	// server is chatty for hours under `leadgate local`.
	outputLimit = 64 << 10
	// tailLines is how much of that output goes into an error message.
	tailLines = 30
	// stopGrace is how long a child gets to exit on SIGTERM before SIGKILL.
	stopGrace = 5 * time.Second
	// portRetries covers the window between freePort closing its listener
	// and the child binding it, in which another process may take the port.
	portRetries = 3
)

// ringBuffer keeps the last outputLimit bytes a child wrote, so failures can
// be explained without buffering unbounded output or spamming the terminal.
type ringBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (r *ringBuffer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	if over := len(r.buf) - outputLimit; over > 0 {
		r.buf = append(r.buf[:0], r.buf[over:]...)
	}
	return len(p), nil
}

// tail returns the last n lines, prefixed for readability inside an error.
func (r *ringBuffer) tail(n int) string {
	r.mu.Lock()
	data := bytes.TrimRight(r.buf, "\n")
	r.mu.Unlock()
	if len(data) == 0 {
		return "  (no output)"
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}

// child is one server process we own.
type child struct {
	name string
	cmd  *exec.Cmd
	out  *ringBuffer
	done chan struct{} // closed once cmd.Wait has returned
	err  error         // cmd.Wait's result, valid after done

	stopOnce sync.Once
	stopErr  error
}

// startChild deliberately does not take a context: the servers must outlive
// the Start call that created them and only die through stop (or Pdeathsig).
func startChild(name, dir string, argv []string) (*child, error) {
	out := &ringBuffer{}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	// One writer for both streams keeps their lines interleaved as written.
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	// A grandchild that survives the group kill must not wedge Wait by
	// holding the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop is idempotent and does not report the signal-induced exit status: a
// server we told to go away going away is success.
func (c *child) stop() error {
	if c == nil {
		return nil
	}
	c.stopOnce.Do(func() {
		if c.exited() {
			return
		}
		terminate(c.cmd.Process)
		select {
		case <-c.done:
			return
		case <-time.After(stopGrace):
		}
		kill(c.cmd.Process)
		select {
		case <-c.done:
		case <-time.After(stopGrace):
			c.stopErr = fmt.Errorf("%s (pid %d) did not exit after SIGKILL", c.name, c.cmd.Process.Pid)
		}
	})
	return c.stopErr
}

// freePort asks the kernel for an unused port. It is inherently racy (the
// port is free again once we close the listener), which launch absorbs by
// retrying when the child dies early.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// errExitedEarly marks a child that died before answering, the signature of
// losing the port race (or of a broken install, which retrying just repeats
// quickly).
var errExitedEarly = errors.New("exited before becoming ready")

// launch starts a server on a fresh port and waits until probe succeeds
// against it, retrying on a new port if the child dies first.
func launch(ctx context.Context, name, dir string, argv func(port int) []string, probe probeFunc) (*child, string, error) {
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, "", err
		}
		endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
		c, err := startChild(name, dir, argv(port))
		if err != nil {
			return nil, "", err
		}
		err = waitReady(ctx, name, endpoint, probe, c)
		if err == nil {
			return c, endpoint, nil
		}
		_ = c.stop()
		if errors.Is(err, errExitedEarly) && attempt < portRetries && ctx.Err() == nil {
			continue
		}
		if attempt > 0 {
			err = fmt.Errorf("%w\n(gave up after %d attempts on different ports)", err, attempt+1)
		}
		return nil, "", err
	}
}

// lookPath turns a missing executable into an actionable message rather than
// exec's bare "executable file not found".
func lookPath(file, hint string) (string, error) {
	p, err := exec.LookPath(file)
	if err != nil {
		return "", fmt.Errorf("%s not found on PATH: %s", file, hint)
	}
	return p, nil
}
