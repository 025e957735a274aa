// udpecho answers every UDP datagram it receives on the given port with "echo:" and the
// datagram. The docker network test runs it inside a busybox container (whose busybox has no
// UDP server) to show that a port published with /udp carries datagrams both ways.
// Built statically by the test (CGO_ENABLED=0): stdlib only.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: udpecho PORT")
		os.Exit(2)
	}
	conn, err := net.ListenPacket("udp4", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "udpecho:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", conn.LocalAddr())
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "udpecho:", err)
			os.Exit(1)
		}
		reply := append([]byte("echo:"), buf[:n]...)
		if _, err := conn.WriteTo(reply, from); err != nil {
			fmt.Fprintln(os.Stderr, "udpecho:", err)
		}
	}
}
