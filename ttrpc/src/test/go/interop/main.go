// Command interop is the Go side of dev.skiff.ttrpc.GoInteropTest: containerd's own ttrpc
// (Debian's golang-github-containerd-ttrpc-dev) as a server and as a client.
//
//	interop server SOCKET   serve skiff.interop.Echo on a unix socket; prints READY
//	interop client SOCKET   call a Java server; prints one line per check, exits 1 on failure
//
// Built in GOPATH mode (GO111MODULE=off, GOPATH=/usr/share/gocode); no module downloads.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/containerd/ttrpc"
	"github.com/gogo/protobuf/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const service = "skiff.interop.Echo"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: interop server|client SOCKET")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = serve(os.Args[2])
	case "client":
		err = runClient(os.Args[2])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

func serve(path string) error {
	s, err := ttrpc.NewServer()
	if err != nil {
		return err
	}
	s.Register(service, map[string]ttrpc.Method{
		"Echo": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req types.StringValue
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return &types.StringValue{Value: "go:" + req.Value}, nil
		},
		"Fail": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			var req types.StringValue
			if err := unmarshal(&req); err != nil {
				return nil, err
			}
			return nil, status.Errorf(codes.NotFound, "no such thing: %s", req.Value)
		},
		"Sleep": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			if _, ok := ctx.Deadline(); !ok {
				return nil, status.Errorf(codes.InvalidArgument, "expected a deadline")
			}
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"Metadata": func(ctx context.Context, unmarshal func(interface{}) error) (interface{}, error) {
			md, _ := ttrpc.GetMetadata(ctx)
			v, _ := md.Get("x-trace")
			return &types.StringValue{Value: strings.Join(v, ",")}, nil
		},
	})
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	fmt.Println("READY")
	return s.Serve(context.Background(), l)
}

func runClient(path string) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return err
	}
	c := ttrpc.NewClient(conn)
	defer c.Close()
	ctx := context.Background()

	var out types.StringValue
	if err := c.Call(ctx, service, "Echo", &types.StringValue{Value: "hi"}, &out); err != nil {
		return fmt.Errorf("echo: %w", err)
	}
	if out.Value != "java:hi" {
		return fmt.Errorf("echo: got %q", out.Value)
	}
	fmt.Println("echo ok")

	err = c.Call(ctx, service, "Fail", &types.StringValue{Value: "x"}, &out)
	if st, _ := status.FromError(err); st.Code() != codes.NotFound || st.Message() != "no such thing: x" {
		return fmt.Errorf("fail: got %v", err)
	}
	fmt.Println("error ok")

	mctx := ttrpc.WithMetadata(ctx, ttrpc.MD{"x-trace": {"a", "b"}})
	if err := c.Call(mctx, service, "Metadata", &types.StringValue{}, &out); err != nil || out.Value != "a,b" {
		return fmt.Errorf("metadata: got %q, %v", out.Value, err)
	}
	fmt.Println("metadata ok")

	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = c.Call(dctx, service, "Sleep", &types.StringValue{}, &out)
	st, _ := status.FromError(err)
	if !errors.Is(err, context.DeadlineExceeded) && st.Code() != codes.DeadlineExceeded {
		return fmt.Errorf("deadline: got %v", err)
	}
	fmt.Println("deadline ok")

	// The connection must still work after the deadline.
	if err := c.Call(ctx, service, "Echo", &types.StringValue{Value: "again"}, &out); err != nil || out.Value != "java:again" {
		return fmt.Errorf("after deadline: got %q, %v", out.Value, err)
	}
	fmt.Println("after-deadline ok")
	return nil
}
