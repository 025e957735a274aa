// Command stream is the Go side of dev.skiff.ttrpc.GoStreamInteropTest: containerd's ttrpc
// v1.2 or later (the versions with streaming) as a server and as a client of streaming calls.
//
//	stream server SOCKET   serve skiff.interop.Streams on a unix socket; prints READY
//	stream client SOCKET   call a Java server; prints one line per check, exits 1 on failure
//
// Methods (the Java side implements the same ones):
//
//	Count   server streaming: request "n" -> messages "#1".."#n"
//	Concat  client streaming: messages -> their concatenation
//	Upper   bidirectional: each message upper-cased
//	Fail    server streaming: "partial", then status ABORTED "gave up"
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const service = "skiff.interop.Streams"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: stream server|client SOCKET")
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

func str(v string) *wrapperspb.StringValue { return &wrapperspb.StringValue{Value: v} }

func serve(path string) error {
	s, err := ttrpc.NewServer()
	if err != nil {
		return err
	}
	s.RegisterService(service, &ttrpc.ServiceDesc{
		Streams: map[string]ttrpc.Stream{
			"Count": {StreamingServer: true, Handler: func(ctx context.Context, ss ttrpc.StreamServer) (interface{}, error) {
				var req wrapperspb.StringValue
				if err := ss.RecvMsg(&req); err != nil {
					return nil, err
				}
				n, err := strconv.Atoi(req.Value)
				if err != nil {
					return nil, status.Errorf(codes.InvalidArgument, "not a number: %q", req.Value)
				}
				for i := 1; i <= n; i++ {
					if err := ss.SendMsg(str(fmt.Sprintf("#%d", i))); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}},
			"Concat": {StreamingClient: true, Handler: func(ctx context.Context, ss ttrpc.StreamServer) (interface{}, error) {
				var sb strings.Builder
				for {
					var m wrapperspb.StringValue
					if err := ss.RecvMsg(&m); err != nil {
						if errors.Is(err, io.EOF) {
							return str(sb.String()), nil
						}
						return nil, err
					}
					sb.WriteString(m.Value)
				}
			}},
			"Upper": {StreamingClient: true, StreamingServer: true, Handler: func(ctx context.Context, ss ttrpc.StreamServer) (interface{}, error) {
				for {
					var m wrapperspb.StringValue
					if err := ss.RecvMsg(&m); err != nil {
						if errors.Is(err, io.EOF) {
							return nil, nil
						}
						return nil, err
					}
					if err := ss.SendMsg(str(strings.ToUpper(m.Value))); err != nil {
						return nil, err
					}
				}
			}},
			"Fail": {StreamingServer: true, Handler: func(ctx context.Context, ss ttrpc.StreamServer) (interface{}, error) {
				var req wrapperspb.StringValue
				if err := ss.RecvMsg(&req); err != nil {
					return nil, err
				}
				if err := ss.SendMsg(str("partial")); err != nil {
					return nil, err
				}
				return nil, status.Errorf(codes.Aborted, "gave up")
			}},
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

func drain(cs ttrpc.ClientStream) ([]string, error) {
	var out []string
	for {
		var m wrapperspb.StringValue
		if err := cs.RecvMsg(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, m.Value)
	}
}

func runClient(path string) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return err
	}
	c := ttrpc.NewClient(conn)
	defer c.Close()
	ctx := context.Background()

	cs, err := c.NewStream(ctx, &ttrpc.StreamDesc{StreamingServer: true}, service, "Count", str("3"))
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	got, err := drain(cs)
	if err != nil || strings.Join(got, ",") != "#1,#2,#3" {
		return fmt.Errorf("count: got %v, %v", got, err)
	}
	fmt.Println("server-streaming ok")

	cs, err = c.NewStream(ctx, &ttrpc.StreamDesc{StreamingClient: true}, service, "Concat", nil)
	if err != nil {
		return fmt.Errorf("concat: %w", err)
	}
	for _, s := range []string{"a", "b", "", "c"} {
		if err := cs.SendMsg(str(s)); err != nil {
			return fmt.Errorf("concat send: %w", err)
		}
	}
	if err := cs.CloseSend(); err != nil {
		return fmt.Errorf("concat close: %w", err)
	}
	var total wrapperspb.StringValue
	if err := cs.RecvMsg(&total); err != nil || total.Value != "abc" {
		return fmt.Errorf("concat: got %q, %v", total.Value, err)
	}
	fmt.Println("client-streaming ok")

	cs, err = c.NewStream(ctx, &ttrpc.StreamDesc{StreamingClient: true, StreamingServer: true}, service, "Upper", nil)
	if err != nil {
		return fmt.Errorf("upper: %w", err)
	}
	for _, s := range []string{"x", "yz"} {
		if err := cs.SendMsg(str(s)); err != nil {
			return fmt.Errorf("upper send: %w", err)
		}
		var m wrapperspb.StringValue
		if err := cs.RecvMsg(&m); err != nil || m.Value != strings.ToUpper(s) {
			return fmt.Errorf("upper: got %q, %v", m.Value, err)
		}
	}
	if err := cs.CloseSend(); err != nil {
		return fmt.Errorf("upper close: %w", err)
	}
	if rest, err := drain(cs); err != nil || len(rest) != 0 {
		return fmt.Errorf("upper end: got %v, %v", rest, err)
	}
	fmt.Println("bidi-streaming ok")

	cs, err = c.NewStream(ctx, &ttrpc.StreamDesc{StreamingServer: true}, service, "Fail", str(""))
	if err != nil {
		return fmt.Errorf("fail: %w", err)
	}
	got, err = drain(cs)
	if st, _ := status.FromError(err); strings.Join(got, ",") != "partial" || st.Code() != codes.Aborted || st.Message() != "gave up" {
		return fmt.Errorf("fail: got %v, %v", got, err)
	}
	fmt.Println("stream-error ok")
	return nil
}
