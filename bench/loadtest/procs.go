package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is one process the harness started. Every child runs in its own
// process group (so a terminal's Ctrl-C reaches only the harness, which then
// stops the children in order) and gets SIGKILL if the harness dies.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string // file holding its stdout and stderr (unless captured)
	done chan struct{}
	err  error // Wait's result, valid after done is closed
}

// procs tracks every running child so that stopAll can end them on any exit
// path: normal return, error, panic, SIGINT or SIGTERM.
type procs struct {
	mu      sync.Mutex
	running map[*child]struct{}
	logDir  string
	n       int
}

func newProcs(logDir string) *procs {
	return &procs{running: map[*child]struct{}{}, logDir: logDir}
}

// start launches cmd. When stdout is nil, stdout and stderr go to a log file
// in the temporary directory (shown when something fails).
func (p *procs) start(name string, cmd *exec.Cmd) (*child, error) {
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var logf *os.File
	if cmd.Stdout == nil && cmd.Stderr == nil {
		p.mu.Lock()
		p.n++
		c.log = filepath.Join(p.logDir, fmt.Sprintf("%02d-%s.log", p.n, name))
		p.mu.Unlock()
		f, err := os.Create(c.log)
		if err != nil {
			return nil, err
		}
		logf = f
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		if logf != nil {
			logf.Close()
		}
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.mu.Lock()
	p.running[c] = struct{}{}
	p.mu.Unlock()
	go func() {
		c.err = cmd.Wait()
		if logf != nil {
			logf.Close()
		}
		p.mu.Lock()
		delete(p.running, c)
		p.mu.Unlock()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the child's process group, waits up to grace, then
// SIGKILLs the group. It returns once the child has been reaped.
func (c *child) stop(grace time.Duration) {
	if c.exited() {
		return
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGTERM)
	select {
	case <-c.done:
		return
	case <-time.After(grace):
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
}

// wait waits for the child to exit by itself, up to limit, and stops it when
// ctx ends or the limit passes.
func (c *child) wait(ctx context.Context, limit time.Duration) error {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		c.stop(2 * time.Second)
		return ctx.Err()
	case <-t.C:
		c.stop(2 * time.Second)
		return fmt.Errorf("%s did not finish within %s", c.name, limit)
	}
}

// tail is the end of the child's log, for error messages.
func (c *child) tail() string {
	if c.log == "" {
		return ""
	}
	b, err := os.ReadFile(c.log)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	if s == "" {
		return ""
	}
	return "\n--- " + c.name + " output (" + c.log + ") ---\n" + s
}

// stopAll ends every child still running, in parallel.
func (p *procs) stopAll() {
	p.mu.Lock()
	list := make([]*child, 0, len(p.running))
	for c := range p.running {
		list = append(list, c)
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func() { defer wg.Done(); c.stop(3 * time.Second) }()
	}
	wg.Wait()
}

// runOutput runs a short command to completion and returns its stdout.
func (p *procs) runOutput(ctx context.Context, name string, limit time.Duration, stdin io.Reader, dir string, argv ...string) (string, error) {
	var out, errb strings.Builder
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	cmd.Stdout = &out
	cmd.Stderr = &errb
	c, err := p.start(name, cmd)
	if err != nil {
		return "", err
	}
	if err := c.wait(ctx, limit); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) || msg != "" {
			return out.String(), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, msg)
		}
		return out.String(), fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return out.String(), nil
}
