// Package redistest starts Debian's redis-server for a test, on a free
// loopback port, with a password, no persistence, and stops it at the end of
// the test. Without redis-server the test is skipped (CI, which installs it,
// fails instead). Only tests import it.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Package is the Debian package that brings redis-server.
const Package = "redis-server"

// Server is one redis-server process.
type Server struct {
	Port     int
	Password string
	bin      string
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Start starts redis-server with password on a free port of 127.0.0.1.
func Start(t testing.TB, password string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found: install Debian's " + Package + " package (apt-get install -y " + Package + ") to run the Redis tests"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := &Server{Password: password, bin: bin, dir: t.TempDir()}
	for attempt := 0; ; attempt++ {
		s.Port = freePort(t)
		err := s.start()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("redis-server did not start: %v", err)
		}
	}
	t.Cleanup(s.Kill)
	return s
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Addr is 127.0.0.1:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// URL is redis://:password@127.0.0.1:port/0.
func (s *Server) URL() string { return "redis://:" + s.Password + "@" + s.Addr() + "/0" }

// URLWithoutPassword is redis://127.0.0.1:port/0.
func (s *Server) URLWithoutPassword() string { return "redis://" + s.Addr() + "/0" }

func (s *Server) start() error {
	args := []string{
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning",
	}
	if s.Password != "" {
		args = append(args, "--requirepass", s.Password)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		_ = cmd.Wait()
		close(exited)
	}(cmd, s.exited)
	c := s.Client()
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("redis-server exited: %w", err)
		default:
		}
		if time.Now().After(deadline) {
			s.Kill()
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Client is a go-redis client of the server (close it).
func (s *Server) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr(), Password: s.Password, MaxRetries: -1, DisableIdentity: true})
}

// Kill kills the server (SIGKILL) and waits for it to exit.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts a killed server again, on the same port, empty.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.start()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop pauses the server (SIGSTOP): connections hang, as with a slow Redis.
func (s *Server) Stop() { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }

// Continue resumes a paused server (SIGCONT).
func (s *Server) Continue() { _ = s.cmd.Process.Signal(syscall.SIGCONT) }
