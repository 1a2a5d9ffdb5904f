// Command ceiling is the "bare net/http" reference server of the load
// harness (bench/loadtest): it answers every GET with one fixed body and one
// Content-Type and does nothing else, so its requests/s on a machine is the
// ceiling the Shipshape API is compared against.
//
//	go run ./bench/ceiling -addr 127.0.0.1:9090 -body list.json -content-type 'application/json; charset=utf-8'
//
// It listens on loopback addresses only and stops by itself after -max-life
// (and on SIGINT/SIGTERM), so a crashed harness never leaves it behind.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback host:port to listen on")
	bodyFile := flag.String("body", "", "file holding the response body (required)")
	contentType := flag.String("content-type", "application/json; charset=utf-8", "Content-Type of the response")
	maxLife := flag.Duration("max-life", 30*time.Minute, "exit after this long even if nobody stops us")
	flag.Parse()
	if err := run(*addr, *bodyFile, *contentType, *maxLife); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

func run(addr, bodyFile, contentType string, maxLife time.Duration) error {
	if bodyFile == "" {
		return errors.New("-body is required")
	}
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("addr: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("addr %q: only loopback addresses are allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// One Write of the whole body, as Shipshape's httpx.WriteJSON does, so
	// net/http frames both responses the same way.
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, maxLife)
	defer cancel()
	go func() {
		<-ctx.Done()
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Printf("ceiling listening on http://%s (%d-byte body)\n", ln.Addr(), len(body))
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
